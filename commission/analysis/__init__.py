"""Diagnostics over scored lots: panel agreement and the robustness of a winner (SPEC §11)."""
