"""The business case report's object: a case evaluated once at one discount rate, with its
key figures, tornado, switching values, Monte Carlo, the final account's saving against the
target, the case's own saving and the rate comparison; and the parameters that name it.

The discounting and the key figures themselves are in `udkecon.business_case`, the
uncertainty in `udkecon.uncertainty`.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from pathlib import Path

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
    decimal rate ('0.035' or '0,035').

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
    try:
        bc.rate_schedule(rate, 2)
    except ParameterError as error:
        raise ParameterError(f"discount_rate '{discount_rate}' cannot be used: {error}") from None
    return rate


def check_parameters(case, discount_rate, horizon: int, draws: int, seed: int):
    """Fail fast on a value the report cannot use, naming the parameter and the choices.

    Returns the case file and the discount rate as `business_case.evaluate` takes them.
    """
    path = case_file(case)
    rate = parse_discount_rate(discount_rate)
    for name, value, least in (("horizon", horizon, 0), ("draws", draws, 1), ("seed", seed, 0)):
        if isinstance(value, bool) or not isinstance(value, int) or value < least:
            raise ParameterError(f"{name} {value!r} is not usable; give a whole number of at "
                                 f"least {least}" + (" (0 means the case's own horizon)"
                                                     if name == "horizon" else ""))
    cases = bc.load_case(path)
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
    inputs: list[dict] = field(default_factory=list)  # provenance of every file read

    @property
    def illustrative(self) -> bool:
        return self.result.illustrative

    @property
    def period(self) -> str:
        return f"{self.result.years[0]}-{self.result.years[-1]}"


def build(case="monopoly_break", discount_rate=config.DEFAULT_DISCOUNT_RATE,
                         horizon: int = 0, base_year: int = config.DEFAULT_BASE_YEAR,
                         draws: int = config.MONTE_CARLO_DRAWS,
                         seed: int = config.MONTE_CARLO_SEED,
                         language: str = config.DEFAULT_LANGUAGE) -> BusinessCaseReport:
    """Evaluate `case` (name or path) at `discount_rate` over `horizon` years (0 = the case's
    own), with key figures, tornado, switching values and `draws` Monte Carlo draws."""
    check_language(language)
    path, rate = check_parameters(case, discount_rate, horizon, draws, seed)
    index = prices.load_index(None, language)
    flows = bc.build_cash_flows(path, base_year=base_year, horizon=horizon or None, index=index)
    result = bc.evaluate(flows, rate)
    inputs = [provenance(path), provenance(config.DISCOUNT_RATES_FILE),
              provenance(config.FINAL_ACCOUNT_FILE)]
    if flows.base_year is not None:
        inputs.append(provenance(config.CPI_FILE))
    return BusinessCaseReport(
        case=case_name(case), language=language, rate=rate, flows=flows, result=result,
        tornado=uncertainty.tornado(flows, rate),
        switching=uncertainty.switching_values(flows, rate),
        monte_carlo=uncertainty.monte_carlo(flows, rate, draws=draws, seed=seed),
        target=bc.saving_vs_target(), case_saving=bc.case_saving(result),
        rate_comparison=rate_comparison(flows, rate), inputs=inputs)


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
