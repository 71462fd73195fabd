"""The business case report's object: a case evaluated once at one discount rate and in one
view (budget or socio), with its key figures, tornado, switching values, Monte Carlo (whose
mean, the expected NPV, is the headline), the risk-adjusted value of each item, the NPV by
the year savings start, the final account's saving against the target, the case's own
saving and the rate comparison; and the parameters that name it.

The discounting and the key figures themselves are in `udkecon.business_case`, the
uncertainty in `udkecon.uncertainty`.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ... import business_case as bc
from ... import config, prices, uncertainty
from ...data import provenance
from ...errors import ParameterError
from ...labels import check_language

# The named cases a report can be run on; any other value of `case` is a path to a case file.
CASES = {
    "monopoly_break": config.MONOPOLY_BREAK_CASE_FILE,
    "udk_share": config.UDK_SHARE_CASE_FILE,
}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def case_file(case) -> Path:
    """The case file of `case`: a name in CASES or the path of a case file.

    >>> case_file("monopoly_break").name
    'business_case_monopoly_break.csv'
    """
    text = str(case).strip()
    if text in CASES:
        return CASES[text]
    path = Path(text).expanduser()
    if text and path.is_file():
        return path
    raise ParameterError(f"case '{case}' is neither a known case nor an existing file; use one "
                         f"of: {', '.join(CASES)}, or the path of a case file (kind "
                         "business_case, see data/raw/README.md)")


def case_name(case) -> str:
    """The case's name: its key in CASES, else the stem of its file."""
    text = str(case).strip()
    return text if text in CASES else Path(text).stem


def parse_discount_rate(discount_rate):
    """The notebook's `discount_rate` text as `business_case.evaluate` takes it: a schedule
    name ('fm2013', 'fm2021'), a decision date YYYY-MM-DD (the schedule valid then) or a
    decimal rate ('0.035' or '0,035') within the rates a discount-rate file may hold
    (`business_case.flat_rate_limits`: 0.5 for 5 % would discount a saving to nothing).

    >>> parse_discount_rate("0,035"), parse_discount_rate("2021-03-01")
    (0.035, datetime.date(2021, 3, 1))
    """
    if isinstance(discount_rate, (int, float)) and not isinstance(discount_rate, bool):
        rate = float(discount_rate)
    else:
        text = str(discount_rate).strip().lower()
        rate = text
        if _DATE.match(text):
            try:
                rate = datetime.date.fromisoformat(text)
            except ValueError:
                rate = text
        elif re.fullmatch(r"[+-]?\d*[.,]?\d+", text):
            rate = float(text.replace(",", "."))
    shown = f"'{discount_rate}'" if isinstance(discount_rate, str) else f"{discount_rate}"
    low, high = bc.flat_rate_limits()
    if isinstance(rate, float) and not low <= rate <= high:
        limit = (f"above {high:g}, the highest" if rate > high else f"below {low:g}, the lowest")
        raise ParameterError(
            f"discount_rate {shown} is {limit} rate a discount-rate file may hold (a rate is a "
            f"decimal: 0.035 for 3.5 %); {_rate_forms()}")
    try:
        if isinstance(rate, datetime.date):
            bc.schedule_on(rate)
        elif isinstance(rate, str) and rate not in bc.schedules():
            raise ParameterError(f"{rate} is not a date" if _DATE.match(rate) else
                                 "it is neither a schedule's name, a date nor a number")
        bc.rate_schedule(rate, 2)
    except ParameterError as error:
        reason = str(error).split("; ")[0]  # the parameter's own forms replace the fix
        raise ParameterError(f"discount_rate {shown} cannot be used: {reason}; "
                             f"{_rate_forms()}") from None
    return rate


def _rate_forms() -> str:
    """The fix for a discount_rate that cannot be used: every form the parameter takes."""
    names = bc.schedules()
    first = min(s["valid_from"] for s in names.values())
    low, high = bc.flat_rate_limits()
    return (f"give discount_rate as {' or '.join(repr(n) for n in names)} (Finansministeriet's "
            "schedules), a "
            f"decision date YYYY-MM-DD from {first} on, or a decimal rate from {low:g} to "
            f"{high:g} such as 0.035")


def check_parameters(case, discount_rate, horizon: int, draws: int, seed: int,
                     savings_start: int = 0, view: str = config.DEFAULT_VIEW,
                     guidance_date: str = ""):
    """Fail fast on a value the report cannot use, naming the parameter and the choices.

    Returns the case file and the discount rate as `business_case.evaluate` takes them.
    """
    path = case_file(case)
    rate = parse_discount_rate(discount_rate)
    bc.check_view(view)
    if isinstance(savings_start, bool) or not isinstance(savings_start, int) or \
            savings_start < 0:
        raise ParameterError(f"savings_start {savings_start!r} is not usable; give a year such "
                             "as 2022, or 0 for the case file's own timing")
    if guidance_date:
        bc.socioeconomic_factors(guidance_date)
    for name, value, least in (("horizon", horizon, 0), ("draws", draws, 1), ("seed", seed, 0)):
        if isinstance(value, bool) or not isinstance(value, int) or value < least:
            raise ParameterError(f"{name} {value!r} is not usable; give a whole number of at "
                                 f"least {least}" + (" (0 means the case's own horizon)"
                                                     if name == "horizon" else ""))
    cases = bc.load_case(path)
    if savings_start:
        flows = bc.build_cash_flows(cases, savings_start=savings_start)  # refuses a bad year
        years = horizon or flows.years.size
    else:
        years = horizon or int(cases["last_year"].max()) - int(cases["first_year"].min()) + 1
    try:
        bc.rate_schedule(rate, years)
    except ParameterError as error:
        raise ParameterError(f"horizon {horizon} ({years} years) with discount_rate "
                             f"'{discount_rate}' cannot be used: {error}") from None
    return path, rate


@dataclass(frozen=True)
class BusinessCaseReport:
    """Everything the business case report shows, computed once."""

    case: str  # name in CASES, or the stem of the user's file
    language: str
    rate: object  # as `business_case.evaluate` takes it
    flows: bc.CashFlows
    result: bc.BusinessCaseResult
    tornado: pd.DataFrame
    switching: pd.DataFrame
    monte_carlo: uncertainty.MonteCarloResult
    target: bc.SavingVsTarget
    case_saving: bc.CaseSaving | None
    rate_comparison: pd.DataFrame  # NPV and B/C under the other schedules and 0 %
    risk_adjusted: pd.DataFrame  # per item: most likely and risk-adjusted (triangular mean)
    expected: bc.BusinessCaseResult  # every item at its triangular mean: E[NPV] exactly
    savings_sensitivity: pd.DataFrame | None  # NPV by the year savings start (phased cases)
    sign_driver: dict  # the assumption that decides the sign of the expected NPV
    inputs: list[dict] = field(default_factory=list)  # provenance of every file read
    index: prices.PriceIndex | None = None  # the CPI the case's amounts are restated with

    @property
    def view(self) -> str:
        return self.flows.view

    @property
    def socioeconomic(self) -> bc.SocioeconomicFactors | None:
        return self.flows.socioeconomic

    @property
    def headline_npv(self) -> float:
        """The expected (risk-adjusted) NPV: the mean of the Monte Carlo draws."""
        return self.monte_carlo.mean

    @property
    def investment(self) -> tuple[float, list[int]]:
        """The investment a board pays for: the one-off implementation items of the case
        (cost type 'implementation'), undiscounted, at their most likely values, summed over
        the period, and the years they fall in."""
        rows = self.flows.rows.reset_index(drop=True)
        one_off = (rows["cost_type"] == "implementation").to_numpy()
        amounts = rows["mode"].to_numpy(float)[one_off, None] * self.flows.timing[one_off]
        years = [int(y) for y in self.flows.years[(amounts != 0).any(axis=0)]]
        return float(amounts.sum()), years

    @property
    def illustrative(self) -> bool:
        return self.result.illustrative

    @property
    def period(self) -> str:
        return f"{self.result.years[0]}-{self.result.years[-1]}"


def build(case="monopoly_break", discount_rate=config.DEFAULT_DISCOUNT_RATE,
          horizon: int = 0, base_year: int = config.DEFAULT_BASE_YEAR,
          draws: int = config.MONTE_CARLO_DRAWS, seed: int = config.MONTE_CARLO_SEED,
          language: str = config.DEFAULT_LANGUAGE, *, savings_start: int = 0,
          view: str = config.DEFAULT_VIEW, guidance_date: str = "") -> BusinessCaseReport:
    """Evaluate `case` (name or path) at `discount_rate` over `horizon` years (0 = the case's
    own), in `view` ('budget' or 'socio', with the guidance in force on `guidance_date`,
    default the latest shipped), savings from `savings_start` (0 = the case file's timing),
    with key figures, tornado, switching values and `draws` Monte Carlo draws."""
    check_language(language)
    path, rate = check_parameters(case, discount_rate, horizon, draws, seed, savings_start,
                                  view, guidance_date)
    index = prices.load_index(None, language)
    timing = dict(base_year=base_year, index=index, view=bc.check_view(view),
                  guidance_date=guidance_date or None)
    flows = bc.build_cash_flows(path, horizon=horizon or None,
                                savings_start=savings_start or None, **timing)
    result = bc.evaluate(flows, rate)
    expected = bc.evaluate(flows, rate, at="mean")
    inputs = [provenance(path), provenance(config.DISCOUNT_RATES_FILE),
              provenance(config.FINAL_ACCOUNT_FILE)]
    if flows.base_year is not None:
        inputs.append(provenance(config.CPI_FILE))
    if flows.view == "socio":
        inputs.append(provenance(config.SOCIOECONOMIC_FILE))
    sensitivity = savings_sensitivity(path, rate, horizon, timing, flows.savings_start)
    return BusinessCaseReport(
        case=case_name(case), language=language, rate=rate, flows=flows, result=result,
        tornado=uncertainty.tornado(flows, rate),
        switching=uncertainty.switching_values(flows, rate),
        monte_carlo=uncertainty.monte_carlo(flows, rate, draws=draws, seed=seed),
        target=bc.saving_vs_target(), case_saving=bc.case_saving(result),
        rate_comparison=rate_comparison(flows, rate),
        risk_adjusted=uncertainty.risk_adjusted(flows, rate), expected=expected,
        savings_sensitivity=sensitivity,
        sign_driver=sign_driver(path, flows, rate, expected, sensitivity, horizon, timing),
        inputs=inputs, index=index if flows.base_year is not None else None)


def savings_sensitivity(path, rate, horizon: int, timing: dict,
                        start: int | None) -> pd.DataFrame | None:
    """NPV at the most likely values and expected NPV (every item at its triangular mean,
    exactly the Monte Carlo's expectation, NPV being linear) with savings from the year
    before, the chosen year and the year after; None for a case without phases to move."""
    if start is None:
        return None
    records = []
    for year in (start - 1, start, start + 1):
        try:
            flows = bc.build_cash_flows(path, horizon=horizon or None, savings_start=year,
                                        **timing)
            records.append({"savings_start": year, "npv": bc.evaluate(flows, rate).npv,
                            "expected_npv": bc.evaluate(flows, rate, at="mean").npv,
                            "last_year": int(flows.years[-1]), "chosen": year == start})
        except ParameterError:  # a year the case or the rate schedule cannot take
            continue
    return pd.DataFrame(records)


def sign_driver(path, flows: bc.CashFlows, rate, expected: bc.BusinessCaseResult,
                sensitivity: pd.DataFrame | None, horizon: int, timing: dict) -> dict:
    """What decides the sign of the expected NPV:

    - `start_decides`: whether the sign changes between the savings starts of the table;
    - `item`, `label_da`, `change_pct`, `switching_value`, `mean`: the uncertain item
      (low < high) whose smallest relative change turns the expected NPV to 0;
    - `years_needed`, `years`: for a phased case, the number of years of full operation at
      which the expected NPV turns the other way (None beyond 40 years), and the case's own.
    """
    driver: dict = {"sign": 1 if expected.npv >= 0 else -1, "start_decides": False,
                    "item": None, "years_needed": None, "years": None}
    if sensitivity is not None and len(sensitivity):
        signs = set(np.sign(sensitivity["expected_npv"]))
        driver["start_decides"] = len(signs) > 1
    switching = uncertainty.switching_values(flows, rate, at="mean")
    uncertain = {item for item in flows.items
                 if (flows.rows.loc[flows.rows["item"] == item, "low"]
                     < flows.rows.loc[flows.rows["item"] == item, "high"]).any()}
    candidates = switching[switching["item"].isin(uncertain) & switching["change_pct"].notna()]
    if len(candidates):
        top = candidates.iloc[0]
        mean_amount = uncertainty._one_value(flows.amounts("mean")[
            (flows.rows["item"] == top["item"]).to_numpy()])
        driver.update(item=top["item"], label_da=top["label_da"],
                      change_pct=float(top["change_pct"]),
                      switching_value=float(top["switching_value"]), mean=mean_amount)
    start = flows.savings_start
    if start is not None:
        full = flows.rows[flows.rows["phase"] == bc.FULL_OPERATION]
        years = int(full["last_year"].max()) - int(full["first_year"].min()) + 1
        driver["years"] = years
        step = 1 if expected.npv < 0 else -1
        for n in range(years + step, 41 if step > 0 else 0, step):
            phases = {bc.FULL_OPERATION: (start, start + n - 1)}
            try:
                moved = bc.build_cash_flows(path, phases=phases, savings_start=None,
                                            horizon=horizon or None, **timing)
                value = bc.evaluate(moved, rate, at="mean").npv
            except ParameterError:
                break
            if np.sign(value) != np.sign(expected.npv) and value != 0:
                driver["years_needed"] = n
                break
    return driver


def rate_comparison(flows: bc.CashFlows, rate) -> pd.DataFrame:
    """NPV and B/C under each of Finansministeriet's schedules and without discounting."""
    chosen = bc.schedule_on(rate) if isinstance(rate, datetime.date) else rate
    others = [*bc.schedules(), 0.0]
    if chosen not in others:  # a flat rate other than 0: shown in its place, before 0 %
        others.insert(-1, chosen)
    records = []
    for other in others:
        try:
            other_result = bc.evaluate(flows, other)
        except ParameterError:  # a schedule that does not cover the horizon
            continue
        records.append({"rate": other, "npv": other_result.npv,
                        "bc_ratio": other_result.bc_ratio, "chosen": other == chosen})
    return pd.DataFrame(records)
