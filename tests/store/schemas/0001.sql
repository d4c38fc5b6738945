-- An Audit Binder database at schema revision 0001, written by that version of the app:
-- one engagement with an account, a scan, control states, an attachment, an exception
-- and two sign-offs. tests/store/test_migrations.py upgrades it to head.
BEGIN TRANSACTION;
CREATE TABLE accounts (
	id INTEGER NOT NULL,
	engagement_id INTEGER NOT NULL,
	account_id VARCHAR(12) NOT NULL,
	alias VARCHAR(200) NOT NULL,
	sign_in JSON NOT NULL,
	CONSTRAINT pk_accounts PRIMARY KEY (id),
	CONSTRAINT fk_accounts_engagement_id_engagements FOREIGN KEY(engagement_id) REFERENCES engagements (id) ON DELETE CASCADE,
	CONSTRAINT uq_accounts_engagement_id UNIQUE (engagement_id, account_id)
);
INSERT INTO "accounts" VALUES(1,1,'123456789012','prod','{"kind": "profile", "profile": "acme"}');
CREATE TABLE alembic_version (
	version_num VARCHAR(32) NOT NULL,
	CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)
);
INSERT INTO "alembic_version" VALUES('0001');
CREATE TABLE attachments (
	id INTEGER NOT NULL,
	engagement_id INTEGER NOT NULL,
	control_id VARCHAR(64) NOT NULL,
	evidence_item VARCHAR(64) NOT NULL,
	original_name VARCHAR(1024) NOT NULL,
	media_type VARCHAR(255) NOT NULL,
	size INTEGER NOT NULL,
	sha256 VARCHAR(64) NOT NULL,
	content BLOB NOT NULL,
	description TEXT NOT NULL,
	added_by VARCHAR(200) NOT NULL,
	added_at DATETIME NOT NULL,
	CONSTRAINT pk_attachments PRIMARY KEY (id),
	CONSTRAINT fk_attachments_engagement_id_engagements FOREIGN KEY(engagement_id) REFERENCES engagements (id) ON DELETE CASCADE
);
INSERT INTO "attachments" VALUES(1,1,'backups','','restore.txt','text/plain',28,'73a910710a3a4361fcbe4c0c68d212d73a9c4d936050bb1f433b539e87a3aed9',X'726573746F7265207465737420323032362D30352D30323A206F6B0A','','ana@acme.test','2026-12-05 13:58:23.060847');
CREATE TABLE audit_log (
	id INTEGER NOT NULL,
	engagement_id INTEGER,
	at DATETIME NOT NULL,
	actor VARCHAR(200) NOT NULL,
	action VARCHAR(64) NOT NULL,
	target VARCHAR(2048) NOT NULL,
	detail JSON NOT NULL,
	CONSTRAINT pk_audit_log PRIMARY KEY (id),
	CONSTRAINT fk_audit_log_engagement_id_engagements FOREIGN KEY(engagement_id) REFERENCES engagements (id) ON DELETE SET NULL
);
INSERT INTO "audit_log" VALUES(1,1,'2026-12-05 13:58:23.042716','ana@acme.test','engagement.create','Acme 2026','{}');
INSERT INTO "audit_log" VALUES(2,1,'2026-12-05 13:58:23.044886','ana@acme.test','account.add','123456789012','{"alias": "prod", "sign_in": {"kind": "profile", "profile": "acme"}}');
INSERT INTO "audit_log" VALUES(3,1,'2026-12-05 13:58:23.050071','ana@acme.test','scan.start','123456789012','{"scan": 1, "caller_arn": "arn:aws:sts::123456789012:assumed-role/Audit/ana", "regions": ["eu-west-1"]}');
INSERT INTO "audit_log" VALUES(4,1,'2026-12-05 13:58:23.053182','ana@acme.test','scan.finish','123456789012','{"scan": 1, "state": "complete", "results": 2, "error": ""}');
INSERT INTO "audit_log" VALUES(5,1,'2026-12-05 13:58:23.059534','ana@acme.test','control.update','backups','{"owner": {"from": "", "to": "Ops"}, "notes": {"from": "", "to": "Restore tested in May"}}');
INSERT INTO "audit_log" VALUES(6,1,'2026-12-05 13:58:23.061049','ana@acme.test','control.update','nacls','{"applicability": {"from": "in_scope", "to": "not_applicable"}, "applicability_reason": {"from": "", "to": "Only security groups"}}');
INSERT INTO "audit_log" VALUES(7,1,'2026-12-05 13:58:23.061366','ana@acme.test','attachment.add','backups','{"attachment": 1, "name": "restore.txt", "sha256": "73a910710a3a4361fcbe4c0c68d212d73a9c4d936050bb1f433b539e87a3aed9"}');
INSERT INTO "audit_log" VALUES(8,1,'2026-12-05 13:58:23.071071','ana@acme.test','exception.add','no-ssh','{"exception": 1, "resource_pattern": "*", "approver": "CTO", "expires_on": "2099-01-01"}');
INSERT INTO "audit_log" VALUES(9,1,'2026-12-05 13:58:23.102331','Bob','sign_off.add','sg-inbound','{"role": "CISO", "approved_hash": "894c7d0a6b7997baf499f37b9efd168bc875afedafb44e63366b11b51c67e828", "record_hash": "3efa2b82e280dadf926e359ee7cce27a763f18d253618a2d03bff2daefb46625"}');
INSERT INTO "audit_log" VALUES(10,1,'2026-12-05 13:58:23.104456','Bob','sign_off.add','backups','{"role": "CISO", "approved_hash": "6e32a8fd98c3426fa213ca49cc0fbf49fe211738984424b3bf9f0ffae3b006c2", "record_hash": "5524b9fae74f96d8003f4d6bd404d62cdb59e6ad8b582808030ffa851dd46191"}');
CREATE TABLE check_results (
	id INTEGER NOT NULL,
	scan_id INTEGER NOT NULL,
	control_id VARCHAR(64) NOT NULL,
	check_id VARCHAR(64) NOT NULL,
	account_id VARCHAR(12) NOT NULL,
	region VARCHAR(32) NOT NULL,
	resource VARCHAR(2048) NOT NULL,
	status VARCHAR(16) NOT NULL,
	detail TEXT NOT NULL,
	evidence JSON NOT NULL,
	collected_at DATETIME NOT NULL,
	CONSTRAINT pk_check_results PRIMARY KEY (id),
	CONSTRAINT fk_check_results_scan_id_scans FOREIGN KEY(scan_id) REFERENCES scans (id) ON DELETE CASCADE
);
INSERT INTO "check_results" VALUES(1,1,'sg-inbound','sg-world-open','123456789012','eu-west-1','arn:aws:ec2:eu-west-1:123456789012:security-group/sg-1','PASS','no world-open rule','[{"operation": "ec2:DescribeSecurityGroups", "parameters": {}, "region": "eu-west-1", "collected_at": "2026-11-28T10:00:00Z", "excerpt": {"GroupId": "sg-1"}}]','2026-11-28 10:00:00.000000');
INSERT INTO "check_results" VALUES(2,1,'no-ssh','no-ssh-open','123456789012','eu-west-1','arn:aws:ec2:eu-west-1:123456789012:security-group/sg-2','FAIL','tcp 22 open to 0.0.0.0/0','[{"operation": "ec2:DescribeSecurityGroups", "parameters": {}, "region": "eu-west-1", "collected_at": "2026-11-28T10:00:00Z", "excerpt": {"GroupId": "sg-1"}}]','2026-11-28 10:00:00.000000');
CREATE TABLE control_states (
	id INTEGER NOT NULL,
	engagement_id INTEGER NOT NULL,
	control_id VARCHAR(64) NOT NULL,
	applicability VARCHAR(20) NOT NULL,
	applicability_reason TEXT NOT NULL,
	owner VARCHAR(200) NOT NULL,
	notes TEXT NOT NULL,
	updated_at DATETIME NOT NULL,
	CONSTRAINT pk_control_states PRIMARY KEY (id),
	CONSTRAINT fk_control_states_engagement_id_engagements FOREIGN KEY(engagement_id) REFERENCES engagements (id) ON DELETE CASCADE,
	CONSTRAINT uq_control_states_engagement_id UNIQUE (engagement_id, control_id)
);
INSERT INTO "control_states" VALUES(1,1,'backups','in_scope','','Ops','Restore tested in May','2026-12-05 13:58:23.059057');
INSERT INTO "control_states" VALUES(2,1,'nacls','not_applicable','Only security groups','','','2026-12-05 13:58:23.059889');
CREATE TABLE engagements (
	id INTEGER NOT NULL,
	name VARCHAR(200) NOT NULL,
	client VARCHAR(200) NOT NULL,
	frameworks JSON NOT NULL,
	period_start DATE,
	period_end DATE,
	regions JSON NOT NULL,
	settings JSON NOT NULL,
	notes TEXT NOT NULL,
	is_demo BOOLEAN NOT NULL,
	created_at DATETIME NOT NULL,
	updated_at DATETIME NOT NULL,
	CONSTRAINT pk_engagements PRIMARY KEY (id),
	CONSTRAINT uq_engagements_name UNIQUE (name)
);
INSERT INTO "engagements" VALUES(1,'Acme 2026','Acme Ltd','["iso27001", "soc2"]','2026-01-01','2026-12-31','["eu-west-1"]','{}','First audit',0,'2026-12-05 13:58:23.037427','2026-12-05 13:58:23.037434');
CREATE TABLE exceptions (
	id INTEGER NOT NULL,
	engagement_id INTEGER NOT NULL,
	control_id VARCHAR(64) NOT NULL,
	resource_pattern VARCHAR(2048) NOT NULL,
	justification TEXT NOT NULL,
	approver VARCHAR(200) NOT NULL,
	expires_on DATE,
	created_by VARCHAR(200) NOT NULL,
	created_at DATETIME NOT NULL,
	revoked_at DATETIME,
	CONSTRAINT pk_exceptions PRIMARY KEY (id),
	CONSTRAINT fk_exceptions_engagement_id_engagements FOREIGN KEY(engagement_id) REFERENCES engagements (id) ON DELETE CASCADE
);
INSERT INTO "exceptions" VALUES(1,1,'no-ssh','*','Bastion until Q3','CTO','2099-01-01','ana@acme.test','2026-12-05 13:58:23.061236',NULL);
CREATE TABLE scans (
	id INTEGER NOT NULL,
	engagement_id INTEGER NOT NULL,
	account_id VARCHAR(12) NOT NULL,
	caller_arn VARCHAR(2048) NOT NULL,
	started_at DATETIME NOT NULL,
	finished_at DATETIME,
	state VARCHAR(20) NOT NULL,
	app_version VARCHAR(50) NOT NULL,
	regions JSON NOT NULL,
	skipped_regions JSON NOT NULL,
	controls JSON NOT NULL,
	error TEXT NOT NULL,
	runner VARCHAR(300) NOT NULL,
	CONSTRAINT pk_scans PRIMARY KEY (id),
	CONSTRAINT fk_scans_engagement_id_engagements FOREIGN KEY(engagement_id) REFERENCES engagements (id) ON DELETE CASCADE
);
INSERT INTO "scans" VALUES(1,1,'123456789012','arn:aws:sts::123456789012:assumed-role/Audit/ana','2026-12-05 13:58:23.044648','2026-12-05 13:58:23.051133','complete','0.1.0','["eu-west-1"]','[]','[]','','vm:23266');
CREATE TABLE sign_offs (
	id INTEGER NOT NULL,
	engagement_id INTEGER NOT NULL,
	control_id VARCHAR(64) NOT NULL,
	reviewer VARCHAR(200) NOT NULL,
	role VARCHAR(200) NOT NULL,
	comment TEXT NOT NULL,
	signed_at DATETIME NOT NULL,
	approved_hash VARCHAR(64) NOT NULL,
	previous_hash VARCHAR(64) NOT NULL,
	record_hash VARCHAR(64) NOT NULL,
	CONSTRAINT pk_sign_offs PRIMARY KEY (id),
	CONSTRAINT fk_sign_offs_engagement_id_engagements FOREIGN KEY(engagement_id) REFERENCES engagements (id) ON DELETE CASCADE
);
INSERT INTO "sign_offs" VALUES(1,1,'sg-inbound','Bob','CISO','ok','2026-12-05 13:58:23.072394','894c7d0a6b7997baf499f37b9efd168bc875afedafb44e63366b11b51c67e828','','3efa2b82e280dadf926e359ee7cce27a763f18d253618a2d03bff2daefb46625');
INSERT INTO "sign_offs" VALUES(2,1,'backups','Bob','CISO','','2026-12-05 13:58:23.102644','6e32a8fd98c3426fa213ca49cc0fbf49fe211738984424b3bf9f0ffae3b006c2','3efa2b82e280dadf926e359ee7cce27a763f18d253618a2d03bff2daefb46625','5524b9fae74f96d8003f4d6bd404d62cdb59e6ad8b582808030ffa851dd46191');
CREATE INDEX ix_attachments_engagement_id ON attachments (engagement_id);
CREATE INDEX ix_audit_log_engagement_id ON audit_log (engagement_id);
CREATE INDEX ix_exceptions_engagement_id ON exceptions (engagement_id);
CREATE INDEX ix_scans_engagement_id ON scans (engagement_id);
CREATE INDEX ix_sign_offs_engagement_id ON sign_offs (engagement_id);
CREATE INDEX ix_check_results_control_id ON check_results (control_id);
CREATE INDEX ix_check_results_scan_id ON check_results (scan_id);
COMMIT;
