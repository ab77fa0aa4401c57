"""The SQL of the campaign's current state, defined once: each commune's latest results, the
officers' latest decision on each record, and where each record stands.

A decision keeps the evidence it was taken on (bucket, reasons, both linked persons). When a
later run finds other evidence for the record, the decision is not overwritten: its status
becomes `needs_recheck` until an officer decides again.

Where a record stands (`state`): `rejected`; `recheck` (a decision whose evidence changed);
`decided` (accepted or rejected by an officer); `auto_resolved`; else open, as its bucket
`conflict` or `missing` (also when deferred).
"""

from __future__ import annotations

# The evidence a decision rests on; reasons sorted, so that their order never matters.
EVIDENCE = """concat_ws('|', {t}.bucket,
    array_to_string(list_sort(string_split(coalesce({t}.reasons, ''), ';')), ';'),
    coalesce({t}.husband_person_id, ''), coalesce({t}.wife_person_id, ''))"""

STATES = ("auto_resolved", "decided", "conflict", "missing", "recheck")


def latest_runs(current_data: bool) -> str:
    """Each commune's latest run; with `current_data`, only runs on the latest ingest (older
    runs are stale: their data was replaced)."""
    where = "WHERE r.ingest_id = (SELECT max(ingest_id) FROM ingests)" if current_data else ""
    return f"""SELECT c.commune, max(c.run_id) AS run_id FROM run_communes c JOIN runs r USING (run_id)
        {where} GROUP BY c.commune"""


CURRENT = f"""
    WITH latest AS ({latest_runs(True)}),
    worked AS (
        SELECT r.record_type, r.record_id, r.commune, r.bucket, r.action, r.reasons,
               r.husband_person_id, r.wife_person_id, r.husband_match_probability,
               r.wife_match_probability, r.proposed_changes,
               NULL::VARCHAR AS source_file, NULL::BIGINT AS source_row, r.run_id
        FROM results r JOIN latest l ON r.run_id = l.run_id AND r.commune = l.commune
        UNION ALL
        SELECT record_type, record_id, commune, 'rejected', NULL, reason, NULL, NULL, NULL, NULL, NULL,
               source_file, source_row, NULL
        FROM rejected),
    last_decision AS (
        SELECT * FROM decisions
        QUALIFY row_number() OVER (PARTITION BY record_type, record_id ORDER BY decision_id DESC) = 1),
    judged AS (
        SELECT w.*, d.verdict AS decision, d.person_ids AS decision_person_ids,
               CASE WHEN d.verdict IS NULL THEN NULL
                    WHEN d.evidence <> {EVIDENCE.format(t="w")} THEN 'needs_recheck'
                    WHEN d.verdict = 'defer' THEN 'deferred'
                    ELSE 'decided' END AS decision_status,
               d.decided_by, d.decided_at, d.note AS decision_note
        FROM worked w LEFT JOIN last_decision d USING (record_type, record_id))
    SELECT *, CASE WHEN bucket = 'rejected' THEN 'rejected'
                   WHEN decision_status = 'needs_recheck' THEN 'recheck'
                   WHEN decision_status = 'decided' THEN 'decided'
                   WHEN bucket = 'auto_resolve' THEN 'auto_resolved'
                   ELSE bucket END AS state
    FROM judged"""

# The count of records in each state for each commune of a list, filed under a day.
# Parameters: the day, the time written; the communes are the table `_communes` (store.listed).
SNAPSHOT = f"""
    INSERT INTO snapshots (day, commune, in_scope, auto_resolved, decided, conflicts, missing, recheck, written_at)
    SELECT ?::DATE, s.commune, count(c.state),
           {", ".join(f"count(c.state) FILTER (WHERE c.state = '{state}')" for state in STATES)}, ?
    FROM (SELECT DISTINCT value AS commune FROM _communes) s
    LEFT JOIN ({CURRENT}) c ON c.commune = s.commune AND c.state <> 'rejected'
    GROUP BY s.commune"""

# Each open record's reason codes, one row per record and reason: commune, state, reason.
OPEN_REASONS = f"""
    SELECT commune, state, unnest(string_split(coalesce(reasons, ''), ';')) AS reason
    FROM ({CURRENT}) WHERE state IN ('conflict', 'missing', 'recheck')"""

# The open records of each commune of a list per state and reason code, filed under a day
# beside its snapshot (a record with several reasons counts under each).
# Parameter: the day; the communes are the table `_communes` (store.listed).
REASON_SNAPSHOT = f"""
    INSERT INTO snapshot_reasons (day, commune, state, reason, records)
    SELECT ?::DATE, commune, state, reason, count(*) FROM ({OPEN_REASONS})
    WHERE reason <> '' AND commune IN (SELECT value FROM _communes)
    GROUP BY commune, state, reason"""
