"""Writes of the risks app: the scan, the flag lifecycle and the daily digest."""

from .flags import risk_flag_acknowledge, risk_flag_dismiss, risk_flag_resolve
from .preview import risk_preview
from .rescans import rescans_covered, rescans_deferred
from .scan import ScanAlreadyRunning, ScanReport, risk_scan_run, scan_lock

__all__ = [
    "ScanAlreadyRunning",
    "ScanReport",
    "risk_flag_acknowledge",
    "risk_flag_dismiss",
    "risk_flag_resolve",
    "risk_preview",
    "rescans_covered",
    "rescans_deferred",
    "risk_scan_run",
    "scan_lock",
]
