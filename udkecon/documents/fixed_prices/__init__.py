"""The fixed-price report (notebook udk_costs_fixed_prices): the municipalities' IT costs
related to UDK in current and fixed prices, by cost type and year, gross and net of DUT."""
