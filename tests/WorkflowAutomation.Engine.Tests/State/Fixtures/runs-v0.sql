-- runs.db as release 0.1.0 wrote it (times in .NET ticks), dumped with sqlite3 iterdump.
BEGIN TRANSACTION;
CREATE TABLE attempts(
    run_id TEXT NOT NULL, step TEXT NOT NULL, number INTEGER NOT NULL, status TEXT NOT NULL,
    exit_code INTEGER, start_time INTEGER, end_time INTEGER, error TEXT,
    PRIMARY KEY(run_id, step, number));
INSERT INTO "attempts" VALUES('20261201-015539-a0ac9e','build',1,'Succeeded',0,639316869401209222,639316869402260753,NULL);
INSERT INTO "attempts" VALUES('20261201-015539-a0ac9e','flaky',1,'Failed',3,639316869403208505,639316869403385187,'Exited with code 3.');
INSERT INTO "attempts" VALUES('20261201-015539-a0ac9e','flaky',2,'Failed',3,639316869403439483,639316869403598517,'Exited with code 3.');
CREATE TABLE logs(
    seq INTEGER PRIMARY KEY, run_id TEXT NOT NULL, step TEXT, ts INTEGER NOT NULL,
    is_error INTEGER NOT NULL, text TEXT NOT NULL);
INSERT INTO "logs" VALUES(1,'20261201-015539-a0ac9e','build',639316869402078548,0,'built');
INSERT INTO "logs" VALUES(2,'20261201-015539-a0ac9e','flaky',639316869403382067,1,'failing');
INSERT INTO "logs" VALUES(3,'20261201-015539-a0ac9e','flaky',639316869403429132,0,'Attempt 1 failed; retrying in 0 s.');
INSERT INTO "logs" VALUES(4,'20261201-015539-a0ac9e','flaky',639316869403515417,1,'failing');
INSERT INTO "logs" VALUES(5,'20261201-015539-a0ac9e','rollback:build',639316869403943746,0,'undo build');
CREATE TABLE rollbacks(
    run_id TEXT NOT NULL, ordinal INTEGER NOT NULL, step TEXT NOT NULL, status TEXT NOT NULL,
    exit_code INTEGER, start_time INTEGER, end_time INTEGER, error TEXT,
    PRIMARY KEY(run_id, ordinal));
INSERT INTO "rollbacks" VALUES('20261201-015539-a0ac9e',1,'build','Succeeded',0,639316869403838638,639316869403962918,NULL);
CREATE TABLE runs(
    id TEXT PRIMARY KEY, name TEXT NOT NULL, status TEXT NOT NULL, created INTEGER NOT NULL,
    start_time INTEGER, end_time INTEGER, source_path TEXT, parameters TEXT, error TEXT,
    origin TEXT, restart_of TEXT, definition TEXT,
    owner_pid INTEGER, owner_start INTEGER, owner_host TEXT);
INSERT INTO "runs" VALUES('20261201-015539-a0ac9e','legacy','Failed',639316869396847863,639316869396613200,639316869403965313,'/tmp/oldrel/wf.yaml','{}','Step ''flaky'' failed: Exited with code 3.','session',NULL,'{"Name":"legacy","Description":null,"ExecutionMode":0,"MaxParallel":null,"Inputs":{},"Env":{},"Schedule":null,"TimeZone":null,"Steps":[{"Name":"build","Command":"echo built; echo \u0022version=1.2\u0022 \u003E\u003E \u0022$WORKFLOW_OUTPUT\u0022","Shell":2,"Timeout":null,"RetryCount":0,"RetryDelay":"00:00:01","Backoff":2,"Jitter":false,"DependsOn":[],"Parallel":false,"ApprovalRequired":false,"Condition":null,"Rollback":"echo undo build","ContinueOnError":false,"Env":{},"WorkingDirectory":null,"Location":{"File":"/tmp/oldrel/wf.yaml","Line":3,"Column":5}},{"Name":"flaky","Command":"echo failing \u003E\u00262; exit 3","Shell":2,"Timeout":null,"RetryCount":1,"RetryDelay":"00:00:00","Backoff":2,"Jitter":false,"DependsOn":[],"Parallel":false,"ApprovalRequired":false,"Condition":null,"Rollback":null,"ContinueOnError":false,"Env":{},"WorkingDirectory":null,"Location":{"File":"/tmp/oldrel/wf.yaml","Line":7,"Column":5}}],"Notifications":null,"SourcePath":"/tmp/oldrel/wf.yaml"}',1994,639316869346058493,'vm');
CREATE TABLE steps(
    run_id TEXT NOT NULL, name TEXT NOT NULL, status TEXT NOT NULL, attempts INTEGER NOT NULL,
    exit_code INTEGER, start_time INTEGER, end_time INTEGER, outputs TEXT, error TEXT,
    continued INTEGER NOT NULL DEFAULT 0, reused INTEGER NOT NULL DEFAULT 0,
    UNIQUE(run_id, name));
INSERT INTO "steps" VALUES('20261201-015539-a0ac9e','build','Succeeded',1,0,639316869400737047,639316869402268716,'{"version":"1.2"}',NULL,0,0);
INSERT INTO "steps" VALUES('20261201-015539-a0ac9e','flaky','Failed',2,3,639316869402281358,639316869403680633,'{}','Exited with code 3.',0,0);
CREATE INDEX runs_by_created ON runs(created DESC);
CREATE INDEX runs_by_status ON runs(status);
CREATE INDEX runs_by_id_nocase ON runs(id COLLATE NOCASE);
CREATE INDEX logs_by_run ON logs(run_id, seq);
COMMIT;
