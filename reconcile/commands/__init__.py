"""The commands' work: one module per command group, each wiring the stages (ingest → normalize →
link → decide → store → export/report) for the command line.

Commands report progress through a callback (`progress.Progress`) and return small summaries;
they print nothing themselves (the command line, `reconcile.cli`, shows them). Commands that
write hold the campaign lock while they work (`store.writing`), and say who runs them (`--by`,
else the operating-system user) for the audit log.
"""
