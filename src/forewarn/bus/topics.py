"""Topic names: what each carries is the record type named beside it."""

CHECK_RESULTS = "check_results"  # core.CheckResult from the scheduler, or a list of them (a simulator tick)
METRICS = "metrics"  # core.MetricBatch, from the agent and pushed data
SAMPLES = "samples"  # core.SampleBatch, as stored (series ids resolved), for the analysis stage
LOGS = "logs"  # list[alerting.LogLine], from the syslog receiver and the log push API
SIGNALS = "signals"  # core.Signal, from alerting (and later analysis, external alerts)
RUNBOOK_RUNS = "runbook_runs"  # str run id, to execute (guards already applied when it was started)
INCIDENT_CHANGES = "incident_changes"  # dict(incident_id, change), for notify/remediation later
