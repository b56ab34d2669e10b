"""Training and export of claimscope's models (``[train]`` extra; never run at analysis time)."""
