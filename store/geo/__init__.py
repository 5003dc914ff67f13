"""Places: the offline gazetteer (GeoNames, CC BY 4.0) and the journal's names for regions.

``gazetteer()`` reads the data on first use; ``loaded()`` says whether it has been read.
"""

from store.geo.fill import FILLED_FIELDS, Filling, fill_from_place
from store.geo.gazetteer import CREDIT, AmbiguousPlace, Gazetteer, Place, PlaceNotFound, distance_km, gazetteer, loaded
from store.geo.names import fold
from store.geo.regions import Region, RegionNames, RegionSpellings, group_spellings, region_names

__all__ = [
    "CREDIT",
    "FILLED_FIELDS",
    "Filling",
    "fill_from_place",
    "AmbiguousPlace",
    "Gazetteer",
    "Place",
    "PlaceNotFound",
    "Region",
    "RegionNames",
    "RegionSpellings",
    "group_spellings",
    "region_names",
    "distance_km",
    "fold",
    "gazetteer",
    "loaded",
]
