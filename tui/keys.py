"""Keys in the order they were typed: ``OrderedKeysApp`` hands one key (or paste) at a time.

Textual forwards every key to the focused widget's queue as soon as it arrives. A key that
the widget does not handle itself (``Tab``, ``Backspace``, ``ctrl+s``) then bubbles back up to
the app, where the bindings run; by then the keys typed after it have already been forwarded,
so they land in the field the focus is leaving, or before the edit the earlier key makes
(Textual issue 6605: ``b a Backspace c`` gives ``ba``). A key typed while a screen is being
opened goes to the screen underneath.

Here a key or paste is held until the one before it has ended its way (stopped by a widget,
or handled by the app's bindings), until every widget on the focus path has handled what that
key made it do, and until the screen on top is mounted; only then is it given to whatever has
the focus *then*. So text typed before ``ctrl+s`` is in what is saved, a key after ``Tab``
lands in the next field, and keys typed while a form opens land in its first field.

The hold costs one pass through the app's queue per key (well under a millisecond). A key
whose way cannot be followed (its widget went away with it) is let go after
``KEY_WATCHDOG`` seconds, so no key is ever held for good.
"""

from __future__ import annotations

import time
from collections import deque
from typing import Any
from weakref import WeakSet

from textual import events
from textual.app import App
from textual.dom import DOMNode
from textual.message import Message
from textual.message_pump import MessagePump
from textual.timer import Timer

InputEvent = events.Key | events.Paste


class OrderedKeysApp(App[Any]):
    """An ``App`` whose keys and pastes reach the widgets one at a time, in order."""

    #: How often (seconds) to look whether the key on its way was lost with its widget.
    KEY_WATCHDOG = 0.5
    #: Seconds without any progress after which the keys are let go all the same. Only a
    #: widget gone with the key can cause that; a slow machine never comes near it.
    KEY_GIVE_UP = 10.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._held_keys: deque[InputEvent] = deque()
        self._key_in_flight: InputEvent | None = None
        self._key_since = 0.0
        self._release_scheduled = False
        self._watched_pumps: WeakSet[MessagePump] = WeakSet()
        self._key_watchdog: Timer | None = None
        self._force_next_key = False
        self._app_handling_key = False
        self._key_at: DOMNode | None = None
        #: How many keys and pastes have arrived so far (for tests and the bench).
        self.keys_received = 0

    # -- what the driver sends ------------------------------------------------------------------

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, (events.Key, events.Paste)) and not event.is_forwarded:
            if isinstance(event, events.Key) and not self.app_focus:
                self.app_focus = True
            if not self._held_keys and self._key_in_flight is None:
                self._key_since = time.monotonic()  # the watchdog counts from the last progress
            self.keys_received += 1
            self._held_keys.append(event)
            # Not handed on from here: through the app's queue, behind whatever the last key's
            # action queued there (``focus()`` sets the focus by a callback on that queue).
            self._schedule_release()
            return
        in_flight = event is self._key_in_flight
        if in_flight:
            self._app_handling_key = True  # an action may take its time (mount, save): not stuck
        try:
            await super().on_event(event)
        finally:
            if in_flight and event is self._key_in_flight:  # it bubbled all the way up: the bindings have run
                self._key_landed()

    def text_key_held(self) -> bool:
        """Whether the next key held back is a printable character: one a focused field types on
        with, so what it changes now will change again before anything else happens."""
        following = self._held_keys[0] if self._held_keys else None
        return isinstance(following, events.Key) and following.is_printable

    @property
    def keys_waiting(self) -> int:
        """How many typed keys are held, not yet given to a widget (for tests and the bench)."""
        return len(self._held_keys) + (self._key_in_flight is not None)

    # -- handing keys on ------------------------------------------------------------------------

    def _ready_for_keys(self) -> bool:
        """Whether the next key may go: the last one is done and its effects with it."""
        if self._key_in_flight is not None:
            return False
        if self._force_next_key:
            self._force_next_key = False
            return True
        try:
            screen = self.screen
        except Exception:  # no screen yet: the app is starting
            return False
        if not screen.is_mounted or not getattr(screen, "accepts_keys", True):
            self._watch(screen)
            return False
        for node in self._focus_path():
            self._watch(node)
            if not node._message_queue.empty():  # noqa: SLF001 - what the focus path still has to do
                return False
        return True

    def _focus_path(self) -> list[DOMNode]:
        focused = self.focused
        start: DOMNode = focused if focused is not None else self.screen
        return [node for node in start.ancestors_with_self if node is not self]

    async def _release_keys(self) -> None:
        self._release_scheduled = False
        while self._held_keys and self._ready_for_keys():
            event = self._held_keys.popleft()
            if isinstance(event, events.Key) and await self._handled_at_once(event):
                continue
            target = self.focused or self.screen
            self._key_in_flight = event
            self._key_at = target
            for node in target.ancestors_with_self:
                if node is not self:
                    self._watch(node)
            target._forward_event(event)  # noqa: SLF001 - what App.on_event does with a key
            self._key_since = time.monotonic()
        if self._held_keys or self._key_in_flight is not None:
            self._arm_watchdog()

    async def _handled_at_once(self, event: events.Key) -> bool:
        """What Textual does before forwarding a key: minimize, tooltips, priority bindings."""
        if self.screen.maximized is not None and event.key == "escape" and self.escape_to_minimize:
            self.screen.minimize()
            return True
        if self.focused:
            try:
                self.screen._clear_tooltip()  # noqa: SLF001
            except Exception:
                pass
        return await self._check_bindings(event.key, priority=True)

    def _schedule_release(self) -> None:
        # Through the app's queue, so whatever the last key queued there (a focus change) runs
        # first. Keys are only ever handed on from the app's own task, one place at a time.
        if self._held_keys and not self._release_scheduled:
            self._release_scheduled = True
            self.call_later(self._release_keys)

    def _key_landed(self) -> None:
        self._key_in_flight = None
        self._app_handling_key = False
        self._key_since = time.monotonic()
        self._schedule_release()

    # -- following a key on its way -----------------------------------------------------------

    def _watch(self, node: DOMNode) -> None:
        if node in self._watched_pumps or not node.is_running:
            return
        self._watched_pumps.add(node)

        def dispatched(message: Message, node: DOMNode = node) -> None:
            self._after_dispatch(node, message)

        node.message_signal.subscribe(self, dispatched, immediate=True)

    def _after_dispatch(self, node: DOMNode, message: Message) -> None:
        """``node`` has handled ``message``: if it was the key in flight, did its way end here?"""
        if message is not self._key_in_flight:
            if self._held_keys and self._key_in_flight is None:
                self._schedule_release()  # the focus path may have caught up now
            return
        self._key_since = time.monotonic()  # it moves on: the watchdog counts from here
        self._key_at = node.parent  # where it goes next, if it goes on
        goes_on = (
            message.bubble
            and node._parent is not None  # noqa: SLF001
            and not message._stop_propagation  # noqa: SLF001
            and node.is_parent_active
            and node.is_attached
        )
        if not goes_on:
            # Landed here, most likely. Said through the app's queue: a screen passes a key on
            # to the app even when it looks stopped (Textual stops a message at its sender, the
            # app, yet hands it over), and then the app's bindings run first, ahead of this.
            self.call_later(self._land, message)

    def _land(self, message: Message) -> None:
        if message is self._key_in_flight:
            self._key_landed()

    def _arm_watchdog(self) -> None:
        if self._key_watchdog is None:
            self._key_watchdog = self.set_interval(self.KEY_WATCHDOG, self._check_stuck, name="key watchdog")

    async def _check_stuck(self) -> None:
        if not self._held_keys and self._key_in_flight is None:
            if self._key_watchdog is not None:
                self._key_watchdog.stop()
                self._key_watchdog = None
            return
        if self._app_handling_key:
            return  # the app's own action for the key is running (it runs beside this timer)
        stalled = time.monotonic() - self._key_since > self.KEY_GIVE_UP
        if self._key_in_flight is not None:
            holder = self._key_at
            gone = holder is None or not holder.is_running or (holder is not self and not holder.is_attached)
            if gone or stalled:  # lost with its widget: do not hold the rest for it
                self._key_in_flight = None
                self._key_since = time.monotonic()
        elif stalled:  # the screen never became ready, or its focus path never empties
            self._force_next_key = True
        self._schedule_release()  # on the app's queue, in turn, like every other release
