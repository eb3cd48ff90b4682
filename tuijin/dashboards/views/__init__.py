"""The leader's screens (issue #17): one module per screen — `home` (each role's first screen), `cockpit`
(驾驶舱), `screen` (大屏 with its display tokens) and `map` (落地地图). Thin views over `..selectors`."""
