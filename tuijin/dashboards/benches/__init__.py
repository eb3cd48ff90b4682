"""The measures of `tuijin bench dashboards`, one module per screen; `..bench` runs them on one province."""
