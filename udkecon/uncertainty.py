"""Sensitivity and uncertainty of a business case: tornado, switching values, Monte Carlo.

Every function takes a case (path, DataFrame from `business_case.load_case`, or
`business_case.CashFlows`) and a discount rate as `business_case.evaluate` does. They rest on
one fact: the costs enter the cash flows linearly and discounting is linear, so

    NPV = amounts @ w,   w_r = sign_r * sum_t timing[r, t] * DF_t

(sign +1 for a baseline cost, -1 for an alternative cost; `CashFlows.present_value_weights`).
An input is an item of the case; all rows of an item move together.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import config
from .business_case import CashFlows, build_cash_flows, describe_rate, discount_factors
from .errors import ParameterError


def _weights(case, rate, horizon, build) -> tuple[CashFlows, np.ndarray]:
    if isinstance(case, CashFlows):
        if horizon is not None or build:
            raise ParameterError("horizon and the build keywords apply when the cash flows are "
                                 "built; give them to build_cash_flows, or pass the case itself")
        flows = case
    else:
        flows = build_cash_flows(case, horizon=horizon, **build)
    return flows, flows.present_value_weights(discount_factors(rate, flows.years.size))


def _one_value(values: np.ndarray) -> float:
    """The item's amount when all its rows share it (e.g. 412.5 a year), else NaN."""
    return float(values[0]) if np.unique(values).size == 1 else np.nan


def _inputs(flows: CashFlows) -> pd.DataFrame:
    rows = flows.rows
    labels = rows["label_da"] if "label_da" in rows else rows["item"]
    return pd.DataFrame({"item": flows.items,
                         "label_da": [labels[rows["item"] == i].iloc[0] for i in flows.items]})


def tornado(case, rate=config.DEFAULT_DISCOUNT_RATE, horizon=None, **build) -> pd.DataFrame:
    """NPV with each uncertain input at its low and at its high value, the others at mode.

    One row per item whose low and high differ, sorted by swing = |npv_high - npv_low|
    (largest first). low/mode/high are the item's amount (fixed prices) when all its rows
    share one, else NaN.
    """
    flows, w = _weights(case, rate, horizon, build)
    mode = flows.amounts("mode")
    records = []
    for item in flows.items:
        rows = (flows.rows["item"] == item).to_numpy()
        low, high = mode.copy(), mode.copy()
        low[rows] = flows.rows["low"].to_numpy(float)[rows]
        high[rows] = flows.rows["high"].to_numpy(float)[rows]
        if np.array_equal(low, high):
            continue
        records.append({"item": item, "low": _one_value(low[rows]),
                        "mode": _one_value(mode[rows]), "high": _one_value(high[rows]),
                        "npv_low": float(low @ w), "npv_high": float(high @ w)})
    frame = pd.DataFrame(records, columns=["item", "low", "mode", "high", "npv_low", "npv_high"])
    frame = _inputs(flows).merge(frame, on="item")
    frame["npv_base"] = float(mode @ w)
    frame["swing"] = (frame["npv_high"] - frame["npv_low"]).abs()
    return frame.sort_values("swing", ascending=False, kind="stable").reset_index(drop=True)


def switching_values(case, rate=config.DEFAULT_DISCOUNT_RATE, horizon=None, *,
                     at: str = "mode", **build) -> pd.DataFrame:
    """The value of each input at which NPV = 0, the others at mode (`at="mean"`: every
    input at its triangular mean, so NPV is the expected NPV).

    Solved analytically, since NPV is linear in each item: scaling item i's amounts by s
    gives NPV(s) = NPV + (s - 1) * D_i with D_i = sum over its rows of mode_r * w_r, so

        s* = 1 - NPV / D_i,   switching_value = s* * mode,   change_pct = 100 * (s* - 1)

    switching_value is NaN for an item whose rows differ (use switching_factor) and for an
    item with D_i = 0 (it does not move the NPV, e.g. the same cost in both scenarios).
    A negative switching value means no cost of that size can make the NPV zero. Sorted by
    |change_pct|, the most critical input first.
    """
    flows, w = _weights(case, rate, horizon, build)
    mode = flows.amounts(at)
    base = float(mode @ w)
    records = []
    for item in flows.items:
        rows = (flows.rows["item"] == item).to_numpy()
        effect = float(mode[rows] @ w[rows])
        # rounding leaves ~1e-14 where rows cancel exactly (same cost in both scenarios)
        moves = abs(effect) > 1e-9 * float(np.abs(mode[rows] * w[rows]).sum())
        factor = 1.0 - base / effect if moves else np.nan
        records.append({"item": item, "mode": _one_value(mode[rows]),
                        "switching_factor": factor,
                        "switching_value": factor * _one_value(mode[rows]),
                        "change_pct": 100.0 * (factor - 1.0)})
    frame = _inputs(flows).merge(pd.DataFrame(records), on="item")
    frame["npv_base"] = base
    order = frame["change_pct"].abs().sort_values(kind="stable", na_position="last").index
    return frame.loc[order].reset_index(drop=True)


def risk_adjusted(case, rate=config.DEFAULT_DISCOUNT_RATE, horizon=None,
                  **build) -> pd.DataFrame:
    """Digitaliseringsstyrelsen's risk-adjusted value of each item: the mean of its
    triangular distribution, (low + mode + high) / 3, beside the most likely value (mode).

    One row per item and scenario: totals over the horizon (fixed prices) at mode and at
    the mean, their difference, and the effect on the NPV, (mean - mode) @ w over its rows.
    NPV is linear in the amounts, so the effects add up exactly to E[NPV] - NPV(mode), the
    gap between the expected (risk-adjusted) NPV and the most-likely-value NPV.
    `range_reason` is the case file's reason for the range (empty when not given).
    """
    flows, w = _weights(case, rate, horizon, build)
    mode, mean = flows.amounts("mode"), flows.amounts("mean")
    over_horizon = flows.timing.sum(axis=1)
    reasons = flows.rows.get("range_reason", pd.Series("", index=flows.rows.index)).to_numpy()
    items = flows.rows["item"].to_numpy()
    scenarios = flows.rows["scenario"].to_numpy()
    labels = _inputs(flows).set_index("item")["label_da"]
    records = []
    for item in flows.items:
        for scenario in sorted(set(scenarios[items == item])):
            rows = (items == item) & (scenarios == scenario)
            given = [r for r in reasons[rows] if isinstance(r, str) and r.strip()]
            records.append({
                "item": item, "label_da": labels[item], "scenario": int(scenario),
                "mode_total": float(mode[rows] @ over_horizon[rows]),
                "mean_total": float(mean[rows] @ over_horizon[rows]),
                "npv_effect": float((mean[rows] - mode[rows]) @ w[rows]),
                "range_reason": given[0] if given else ""})
    frame = pd.DataFrame(records, columns=["item", "label_da", "scenario", "mode_total",
                                           "mean_total", "npv_effect", "range_reason"])
    frame.insert(5, "difference", frame["mean_total"] - frame["mode_total"])
    return frame


def triangular_quantile(u, low, mode, high):
    """Inverse CDF of the triangular distribution (low, mode, high) at probabilities u.

    x = low + sqrt(u (high-low)(mode-low))           if u < (mode-low)/(high-low)
    x = high - sqrt((1-u)(high-low)(high-mode))      otherwise; x = low when low == high

    >>> float(triangular_quantile(0.5, 0.0, 5.0, 10.0))
    5.0
    >>> float(triangular_quantile(0.125, 0.0, 10.0, 10.0))  # sqrt(0.125 * 100)
    3.5355339059327378
    """
    u, low, mode, high = (np.asarray(a, float) for a in (u, low, mode, high))
    width = high - low
    split = np.divide(mode - low, width, out=np.zeros(np.broadcast(mode, width).shape),
                      where=width > 0)
    left = low + np.sqrt(u * width * (mode - low))
    right = high - np.sqrt((1.0 - u) * width * (high - mode))
    return np.where(u < split, left, right)


@dataclass(frozen=True, eq=False)
class MonteCarloResult:
    """NPV draws and their summary; percentiles by numpy's default (linear) method."""

    npv: np.ndarray  # one NPV per draw
    p10: float
    p50: float
    p90: float
    mean: float
    prob_positive: float  # share of draws with NPV > 0
    deterministic_npv: float  # every input at its mode
    draws: int
    seed: int | None
    rate_name: str
    distribution: str = "triangular"

    @property
    def standard_error(self) -> float:
        """The Monte Carlo standard error of `mean`: the draws' standard deviation divided by
        the square root of their number (nan for one draw). The mean estimates the expected
        NPV; this says how far the simulation alone may put it from the exact value."""
        if self.npv.size < 2:
            return float("nan")
        return float(self.npv.std(ddof=1) / np.sqrt(self.npv.size))

    def summary(self) -> dict:
        return {k: getattr(self, k) for k in ("p10", "p50", "p90", "mean", "prob_positive",
                                               "deterministic_npv", "draws", "seed",
                                               "rate_name", "distribution")}


def monte_carlo(case, rate=config.DEFAULT_DISCOUNT_RATE, horizon=None, *,
                draws: int = config.MONTE_CARLO_DRAWS, seed: int | None = config.MONTE_CARLO_SEED,
                **build) -> MonteCarloResult:
    """NPV under uncertainty: each input drawn from a triangular (low, mode, high).

    Triangular, not PERT: its inverse CDF is closed-form (no scipy), which lets all rows of
    an item share one uniform draw (they move together, e.g. every year's implementation
    cost), and it gives more weight to the extremes than PERT, the cautious choice for
    ranges that are assumptions. Items are independent. Draws come from
    numpy.random.default_rng(seed); NPV = draws (draws x rows) @ w, one matrix product.
    """
    if not isinstance(draws, (int, np.integer)) or draws < 1:
        raise ParameterError(f"draws {draws} is not a number of draws; give a whole number of "
                             "at least 1, e.g. 100000")
    flows, w = _weights(case, rate, horizon, build)
    item_of_row = pd.Index(flows.items).get_indexer(flows.rows["item"].to_numpy())
    low, mode, high = (flows.rows[p].to_numpy(float) for p in ("low", "mode", "high"))
    uniform = np.random.default_rng(seed).random((draws, len(flows.items)))
    varies = low < high  # rows with low == high add the same amount to every draw
    amounts = triangular_quantile(uniform[:, item_of_row[varies]], low[varies], mode[varies],
                                  high[varies])
    values = amounts @ w[varies] + mode[~varies] @ w[~varies]
    p10, p50, p90 = np.percentile(values, [10, 50, 90])
    return MonteCarloResult(npv=values, p10=float(p10), p50=float(p50), p90=float(p90),
                            mean=float(values.mean()), prob_positive=float((values > 0).mean()),
                            deterministic_npv=float(mode @ w), draws=int(draws),
                            seed=seed, rate_name=describe_rate(rate))
