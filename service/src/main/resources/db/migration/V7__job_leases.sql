-- Which replica runs a job, and until when its claim holds without a heartbeat. A replica takes over
-- a QUEUED or RUNNING job only when nobody holds it or the holder's lease has expired.
ALTER TABLE training_job ADD COLUMN owner VARCHAR(200);
ALTER TABLE training_job ADD COLUMN lease_until TIMESTAMP WITH TIME ZONE;
ALTER TABLE evaluation_run ADD COLUMN owner VARCHAR(200);
ALTER TABLE evaluation_run ADD COLUMN lease_until TIMESTAMP WITH TIME ZONE;
