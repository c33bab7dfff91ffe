"""Onboarding in bulk: reconcile (sort and link), import (WHMCS -> local), push (local -> WHMCS).

See runner.py for a run's phases, lease.py for one run at a time, docs/decisions.md for the
rules of the sort.
"""

from integrations.whmcs.sync.onboarding.lease import LeaseLost, OnboardingBusy
from integrations.whmcs.sync.onboarding.runner import Onboarding, RunResult

__all__ = ["LeaseLost", "Onboarding", "OnboardingBusy", "RunResult"]
