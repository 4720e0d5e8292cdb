"""AMPscript: the interpreter ``TreatAsContent`` runs, and its table of functions."""

from emulator.ampscript.context import AmpscriptContext
from emulator.ampscript.functions import FUNCTIONS
from emulator.ampscript.interpreter import render
from emulator.ampscript.jwt import sign_jwt
from emulator.ampscript.variables import Variables

__all__ = ["FUNCTIONS", "AmpscriptContext", "Variables", "render", "sign_jwt"]
