-- A counter that every write transaction bumps (as its first statement). App servers cache what
-- they compute from the store (rankings, paired tests) and learn, with one cheap read, when it
-- went stale; several servers behind a load balancer stay consistent without talking.
CREATE TABLE data_version (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    version  BIGINT NOT NULL
);

INSERT INTO data_version (id, version) VALUES (1, 0);
