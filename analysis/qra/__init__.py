"""Quantitative risk: loss-of-containment frequencies, the one event tree, individual and societal risk."""
