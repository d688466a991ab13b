"""Agents of a stress run: the bank's liquidation desk (`scenarios.behaviour.desk`) and the borrowers
(`scenarios.behaviour.borrowers`), with the borrowers' behaviours, under one import path."""

from __future__ import annotations

from scenarios.behaviour.behaviours import (
    Behaviour,
    InvalidBorrowerBehaviour,
    NeverPay,
    PayLate,
    RepayEarly,
    TopUp,
)
from scenarios.behaviour.borrowers import CALLED, Action, Borrowers, MarginCall
from scenarios.behaviour.desk import Execution, InvalidDeskSettings, LiquidationDesk

__all__ = ["CALLED", "Action", "Behaviour", "Borrowers", "Execution", "InvalidBorrowerBehaviour",
           "InvalidDeskSettings", "LiquidationDesk", "MarginCall", "NeverPay", "PayLate", "RepayEarly", "TopUp"]
