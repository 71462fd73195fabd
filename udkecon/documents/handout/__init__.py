"""One municipality's handout (notebook municipality_handout): its share of the UDK-related
IT costs in fixed prices, per inhabitant beside its region and the country, and its share of
the UDK business case."""
