"""The one colour scale and the labels for IMD deciles, shared by the app and exported images."""

# ColorBrewer YlGnBu (sequential, colour-blind safe), sampled from its dark end so decile 1
# (most deprived) is the strongest colour and decile 10 stays visible on white on a projector.
DECILE_COLOURS = {
    1: "#081d58",
    2: "#1a2b7d",
    3: "#243e99",
    4: "#2258a5",
    5: "#2077b4",
    6: "#2195c0",
    7: "#37acc3",
    8: "#57bec1",
    9: "#7eccbb",
    10: "#aadeb7",
}
# Quintiles take the colour of their more deprived decile, so quintile 1 (Core20) matches decile 1.
QUINTILE_COLOURS = {q: DECILE_COLOURS[2 * q - 1] for q in range(1, 6)}
# Areas outside England's IMD, and locations that could not be placed, never take a decile colour.
NON_DECILE_COLOUR = "#9e9e9e"
TEXT_COLOUR = "#1f2933"
MUTED_TEXT_COLOUR = "#52606d"
GRID_COLOUR = "#e4e7eb"

# Keyed both by figures.by_area's area_group and by figures.report's group.
AREA_GROUP_LABELS = {
    "Wales": "Wales",
    "Scotland": "Scotland",
    "Northern Ireland": "Northern Ireland",
    "wales": "Wales",
    "scotland": "Scotland",
    "northern_ireland": "Northern Ireland",
    "unknown": "Location unknown",
}


def decile_label(decile: int) -> str:
    """'1 · most deprived', '2', ..., '10 · least deprived'."""
    decile = int(decile)
    if decile == 1:
        return "1 · most deprived"
    if decile == 10:
        return "10 · least deprived"
    return str(decile)


DECILE_LABELS = {d: decile_label(d) for d in range(1, 11)}


def area_colour(area_group: str) -> str:
    """The colour of an area group: its decile colour, or the neutral grey for anything else."""
    try:
        return DECILE_COLOURS[int(area_group)]
    except (TypeError, ValueError, KeyError):
        return NON_DECILE_COLOUR


def area_label(area_group: str) -> str:
    """A display label for an area group ('1 · most deprived', '5', 'Wales', 'Location unknown')."""
    try:
        return DECILE_LABELS[int(area_group)]
    except (TypeError, ValueError, KeyError):
        return AREA_GROUP_LABELS.get(area_group, str(area_group))
