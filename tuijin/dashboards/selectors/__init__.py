"""Reads for the leader's screens, one module per screen. Every figure comes from `tuijin.figures.selectors`
(never computed here); this package only chooses, orders and links them."""
