-- Access enforcement in the store (docs/security.md, "Enforcement in the store"): searches under an explicit
-- set of compartments (citizens, a named patient) seek each permitted compartment and type instead of scanning
-- the type. Partial: only current rows are searched.
CREATE INDEX ix_rv_patient ON resource_version (patient_id, res_type, seq) WHERE is_current = 1 AND deleted = 0;
