-- The vehicle-trace audit (antt/trace_audit.py). Run by infra/services.sh as the
-- PostgreSQL superuser on every start; idempotent. Rows are only ever added: the writer
-- (Superset's trace macro) may INSERT, the reader (the leadership dashboard) may SELECT,
-- nobody else may connect.
CREATE SCHEMA IF NOT EXISTS audit;
CREATE TABLE IF NOT EXISTS audit.trace_lookups (
    lookup_id      bigserial PRIMARY KEY,
    looked_up_at   timestamptz NOT NULL DEFAULT now(),
    username       text NOT NULL,
    vehicle_plate  text NOT NULL,
    reason         text NOT NULL,
    case_reference text NOT NULL,
    source         text NOT NULL
);
COMMENT ON TABLE audit.trace_lookups IS 'Nhật ký truy vết phương tiện: ai, khi nào, biển số nào, lý do, số hồ sơ';
REVOKE ALL ON DATABASE antt_audit FROM PUBLIC;
GRANT CONNECT ON DATABASE antt_audit TO audit_writer, audit_reader;
REVOKE ALL ON SCHEMA audit FROM PUBLIC;
GRANT USAGE ON SCHEMA audit TO audit_writer, audit_reader;
REVOKE ALL ON audit.trace_lookups FROM PUBLIC, audit_writer, audit_reader;
GRANT INSERT ON audit.trace_lookups TO audit_writer;
GRANT USAGE ON SEQUENCE audit.trace_lookups_lookup_id_seq TO audit_writer;
GRANT SELECT ON audit.trace_lookups TO audit_reader;
