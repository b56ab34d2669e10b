"""Measuring the models on labelled data: the dataset readers, the metrics of each task and
one ``evaluate_<task>`` a task (``claimscope eval``, training and the benchmarks use them; an
analysis never does)."""
