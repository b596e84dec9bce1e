-- Refusal grounds as data, internal-review outcomes and ICO cases (issue 13).

-- The grounds a response or an extension may cite: FOIA, EIR and DPA 2018 / UK GDPR
-- (CASEWORK-RULES 2.2). `test`: absolute (no public-interest balance; DPA restrictions and
-- exemptions are recorded so, being tests of necessity rather than of the public interest),
-- qualified (the public-interest test: FOIA s.2(1)(b)/(2)(b), every EIR exception by reg
-- 12(1)), procedural (cost, vexatious, repeated, manifestly unfounded). `pit`: a FOI
-- public-interest extension (s.10(3)) may rest on it. `ncnd`: the provision allows neither
-- confirming nor denying. `kinds`: the request kinds it answers (a review cites its parent's).
CREATE TABLE refusal_grounds (
    code     text PRIMARY KEY,
    position integer NOT NULL UNIQUE,
    citation text NOT NULL,
    title    text NOT NULL,
    kinds    text[] NOT NULL CHECK (cardinality(kinds) > 0),
    test     text NOT NULL CHECK (test IN ('absolute', 'qualified', 'procedural')),
    pit      boolean NOT NULL,
    ncnd     boolean NOT NULL
);

INSERT INTO refusal_grounds (position, code, citation, title, kinds, test, pit, ncnd) VALUES
    (1, 's1(3)', 'FOIA s.1(3)', 'Clarification required (not a refusal: advice and assistance)', '{foi,review}', 'procedural', false, false),
    (2, 's12', 'FOIA s.12(1)', 'Cost of compliance exceeds the appropriate limit (£450 or 18 hours for police)', '{foi,review}', 'procedural', false, true),
    (3, 's14(1)', 'FOIA s.14(1)', 'Vexatious request', '{foi,review}', 'procedural', false, false),
    (4, 's14(2)', 'FOIA s.14(2)', 'Repeated request', '{foi,review}', 'procedural', false, false),
    (5, 's21', 'FOIA s.21', 'Information accessible by other means', '{foi,review}', 'absolute', false, false),
    (6, 's22', 'FOIA s.22', 'Intended for future publication', '{foi,review}', 'qualified', true, true),
    (7, 's22A', 'FOIA s.22A', 'Research intended for future publication', '{foi,review}', 'qualified', true, true),
    (8, 's23', 'FOIA s.23', 'Security bodies', '{foi,review}', 'absolute', false, true),
    (9, 's24', 'FOIA s.24', 'National security', '{foi,review}', 'qualified', true, true),
    (10, 's26', 'FOIA s.26', 'Defence', '{foi,review}', 'qualified', true, true),
    (11, 's27', 'FOIA s.27', 'International relations', '{foi,review}', 'qualified', true, true),
    (12, 's28', 'FOIA s.28', 'Relations within the UK', '{foi,review}', 'qualified', true, true),
    (13, 's29', 'FOIA s.29', 'The economy', '{foi,review}', 'qualified', true, true),
    (14, 's30', 'FOIA s.30', 'Investigations and proceedings', '{foi,review}', 'qualified', true, true),
    (15, 's31', 'FOIA s.31', 'Law enforcement', '{foi,review}', 'qualified', true, true),
    (16, 's32', 'FOIA s.32', 'Court records', '{foi,review}', 'absolute', false, true),
    (17, 's33', 'FOIA s.33', 'Audit functions', '{foi,review}', 'qualified', true, true),
    (18, 's34', 'FOIA s.34', 'Parliamentary privilege', '{foi,review}', 'absolute', false, true),
    (19, 's35', 'FOIA s.35', 'Formulation of government policy (government departments)', '{foi,review}', 'qualified', true, true),
    (20, 's36', 'FOIA s.36', 'Prejudice to the effective conduct of public affairs', '{foi,review}', 'qualified', true, true),
    (21, 's37', 'FOIA s.37', 'Communications with the Royal Family and Household; honours', '{foi,review}', 'qualified', true, true),
    (22, 's38', 'FOIA s.38', 'Health and safety', '{foi,review}', 'qualified', true, true),
    (23, 's39', 'FOIA s.39', 'Environmental information (handle under the EIR)', '{foi,review}', 'qualified', true, true),
    (24, 's40(1)', 'FOIA s.40(1)', 'The requester''s own personal data (handle as a subject access request)', '{foi,review}', 'absolute', false, true),
    (25, 's40(2)', 'FOIA s.40(2)', 'Third-party personal data', '{foi,review}', 'absolute', false, true),
    (26, 's41', 'FOIA s.41', 'Information provided in confidence', '{foi,review}', 'absolute', false, true),
    (27, 's42', 'FOIA s.42', 'Legal professional privilege', '{foi,review}', 'qualified', true, true),
    (28, 's43', 'FOIA s.43', 'Commercial interests and trade secrets', '{foi,review}', 'qualified', true, true),
    (29, 's44', 'FOIA s.44', 'Prohibitions on disclosure', '{foi,review}', 'absolute', false, true),
    (40, 'r12(4)(a)', 'EIR r.12(4)(a)', 'Information not held', '{eir,review}', 'qualified', false, false),
    (41, 'r12(4)(b)', 'EIR r.12(4)(b)', 'Manifestly unreasonable', '{eir,review}', 'qualified', false, false),
    (42, 'r12(4)(c)', 'EIR r.12(4)(c)', 'Too general (after advice under r.9)', '{eir,review}', 'qualified', false, false),
    (43, 'r12(4)(d)', 'EIR r.12(4)(d)', 'Material in the course of completion', '{eir,review}', 'qualified', false, false),
    (44, 'r12(4)(e)', 'EIR r.12(4)(e)', 'Internal communications', '{eir,review}', 'qualified', false, false),
    (45, 'r12(5)(a)', 'EIR r.12(5)(a)', 'International relations, defence, national security, public safety', '{eir,review}', 'qualified', false, true),
    (46, 'r12(5)(b)', 'EIR r.12(5)(b)', 'Course of justice, fair trial, criminal or disciplinary inquiry', '{eir,review}', 'qualified', false, false),
    (47, 'r12(5)(c)', 'EIR r.12(5)(c)', 'Intellectual property rights', '{eir,review}', 'qualified', false, false),
    (48, 'r12(5)(d)', 'EIR r.12(5)(d)', 'Confidentiality of proceedings (not emissions)', '{eir,review}', 'qualified', false, false),
    (49, 'r12(5)(e)', 'EIR r.12(5)(e)', 'Commercial confidentiality (not emissions)', '{eir,review}', 'qualified', false, false),
    (50, 'r12(5)(f)', 'EIR r.12(5)(f)', 'Interests of a voluntary supplier (not emissions)', '{eir,review}', 'qualified', false, false),
    (51, 'r12(5)(g)', 'EIR r.12(5)(g)', 'Protection of the environment (not emissions)', '{eir,review}', 'qualified', false, false),
    (52, 'r13', 'EIR r.13', 'Third-party personal data', '{eir,review}', 'absolute', false, true),
    (60, 'dpa-s45(4)(a)', 'DPA 2018 s.45(4)(a)', 'Avoid obstructing an official or legal inquiry, investigation or procedure', '{sar}', 'absolute', false, true),
    (61, 'dpa-s45(4)(b)', 'DPA 2018 s.45(4)(b)', 'Avoid prejudicing the prevention, detection, investigation or prosecution of offences', '{sar}', 'absolute', false, true),
    (62, 'dpa-s45(4)(c)', 'DPA 2018 s.45(4)(c)', 'Protect public security', '{sar}', 'absolute', false, true),
    (63, 'dpa-s45(4)(d)', 'DPA 2018 s.45(4)(d)', 'Protect national security', '{sar}', 'absolute', false, true),
    (64, 'dpa-s45(4)(e)', 'DPA 2018 s.45(4)(e)', 'Protect the rights and freedoms of others', '{sar}', 'absolute', false, true),
    (65, 'dpa-s53', 'DPA 2018 s.53', 'Manifestly unfounded or excessive (law enforcement processing)', '{sar}', 'procedural', false, false),
    (66, 'dpa-a12(5)', 'UK GDPR Art 12(5)', 'Manifestly unfounded or excessive', '{sar}', 'procedural', false, false),
    (67, 'dpa-sch2-p2', 'DPA 2018 Sch 2 para 2', 'Crime and taxation', '{sar}', 'absolute', false, false),
    (68, 'dpa-sch2-p5', 'DPA 2018 Sch 2 para 5', 'Disclosure required by law or for legal proceedings', '{sar}', 'absolute', false, false),
    (69, 'dpa-sch2-p16', 'DPA 2018 Sch 2 para 16', 'Protection of the rights of others (third-party data)', '{sar}', 'absolute', false, false),
    (70, 'dpa-sch2-p19', 'DPA 2018 Sch 2 para 19', 'Legal professional privilege', '{sar}', 'absolute', false, false),
    (71, 'dpa-sch2-p24', 'DPA 2018 Sch 2 para 24', 'Confidential references', '{sar}', 'absolute', false, false),
    (72, 'dpa-sch3', 'DPA 2018 Sch 3', 'Health, social work and education data', '{sar}', 'absolute', false, false),
    (73, 'dpa-sch4', 'DPA 2018 Sch 4', 'Disclosure prohibited or restricted by an enactment', '{sar}', 'absolute', false, false);

-- The grounds each request cited, one row per request and ground: in its response, in an
-- extension, or both. `cited` keeps the citation as precise as the officer gave it
-- (`s31(1)(a)` cites ground `s31`).
CREATE TABLE request_grounds (
    request_id   bigint NOT NULL REFERENCES requests (id),
    ground       text NOT NULL REFERENCES refusal_grounds (code),
    cited        text NOT NULL,
    in_response  boolean NOT NULL DEFAULT false,
    in_extension boolean NOT NULL DEFAULT false,
    PRIMARY KEY (request_id, ground)
);
CREATE INDEX request_grounds_ground ON request_grounds (ground);

-- Responses recorded before grounds were data: their free text is read by `foiflow migrate`
-- (the same reader as ACT) once this queue exists. Codes it cannot read are kept in
-- unparsed_exemptions with the reason, and listed; the text on the request is never changed.
CREATE TABLE exemption_texts_to_parse (
    request_id bigint PRIMARY KEY REFERENCES requests (id),
    text       text NOT NULL
);
INSERT INTO exemption_texts_to_parse (request_id, text)
    SELECT id, exemptions FROM requests WHERE exemptions IS NOT NULL AND btrim(exemptions) <> '';
CREATE TABLE unparsed_exemptions (
    request_id bigint NOT NULL REFERENCES requests (id),
    code       text NOT NULL,
    problem    text NOT NULL,
    PRIMARY KEY (request_id, code)
);

-- ICO cases: a kind whose dates others set, its states and actions, and the trail reviews and
-- ICO cases leave on the request they concern.
INSERT INTO request_kinds (kind, prefix) VALUES ('ico', 'ICO');
ALTER TABLE requests ADD COLUMN ico_ref text;
ALTER TABLE requests ADD COLUMN appeal_by date;
-- A review asked for more than 40 working days after the response: accepted, flagged.
ALTER TABLE requests ADD COLUMN requested_late boolean NOT NULL DEFAULT false;
CREATE INDEX requests_parent_ref ON requests (parent_ref, ref) WHERE parent_ref IS NOT NULL;

ALTER TABLE requests DROP CONSTRAINT requests_state_check;
ALTER TABLE requests ADD CONSTRAINT requests_state_check CHECK (state IN ('received', 'awaiting_clarification',
    'awaiting_fee', 'awaiting_id', 'in_progress', 'awaiting_approval', 'responded', 'closed', 'withdrawn', 'lapsed',
    'transferred', 'with_ico', 'steps_due', 'decided', 'at_tribunal'));
ALTER TABLE requests DROP CONSTRAINT requests_outcome_check;
ALTER TABLE requests ADD CONSTRAINT requests_outcome_check CHECK (outcome IN ('granted', 'partial', 'refused', 'not-held',
    'ncnd', 'upheld', 'upheld-in-part', 'overturned'));

ALTER TABLE request_events DROP CONSTRAINT request_events_action_check;
ALTER TABLE request_events ADD CONSTRAINT request_events_action_check CHECK (action IN (
    'create', 'assign', 'clarify', 'clarified', 'fee-notice', 'fee-paid', 'id-requested', 'id-verified', 'extend',
    'submit', 'approve', 'return', 'respond', 'close', 'withdraw', 'reopen', 'transfer', 'submitted', 'decision',
    'complied', 'appealed', 'tribunal', 'contacted', 'lapse', 'escalate', 'recalculate', 'review-outcome', 'ico-outcome'));
ALTER TABLE request_events DROP CONSTRAINT request_events_states_check;
ALTER TABLE request_events ADD CONSTRAINT request_events_states_check CHECK (
    (from_state IS NULL OR from_state IN ('received', 'awaiting_clarification', 'awaiting_fee', 'awaiting_id',
        'in_progress', 'awaiting_approval', 'responded', 'closed', 'withdrawn', 'lapsed', 'transferred', 'with_ico',
        'steps_due', 'decided', 'at_tribunal'))
    AND to_state IN ('received', 'awaiting_clarification', 'awaiting_fee', 'awaiting_id',
        'in_progress', 'awaiting_approval', 'responded', 'closed', 'withdrawn', 'lapsed', 'transferred', 'with_ico',
        'steps_due', 'decided', 'at_tribunal'));

-- The open states grew (with_ico, steps_due, at_tribunal): the breach-risk indexes follow
-- (their predicate is the list RequestState.open gives, so the planner can use them).
DROP INDEX requests_open_due;
CREATE INDEX requests_open_due ON requests (due, ref)
    WHERE state IN ('received', 'awaiting_clarification', 'awaiting_fee', 'awaiting_id', 'in_progress', 'awaiting_approval',
        'with_ico', 'steps_due', 'at_tribunal');
DROP INDEX requests_team_open_due;
CREATE INDEX requests_team_open_due ON requests (team, due, ref)
    WHERE state IN ('received', 'awaiting_clarification', 'awaiting_fee', 'awaiting_id', 'in_progress', 'awaiting_approval',
        'with_ico', 'steps_due', 'at_tribunal');
