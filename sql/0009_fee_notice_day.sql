-- FOIA s.10(2) disregards the working days "in the period beginning with the day on which
-- the fees notice is given ... and ending with the day on which the fee is received": both
-- ends. Earlier versions still counted the notice day, so an FOI request that had a fees
-- notice was shown due one working day too early. The rule is fixed in the code; this
-- migration derives every open request's due date again, with a recalculate event on each
-- request that moved (previous_due records the old date).
-- foiflow: recalculate open due dates: fee period rule corrected (FOIA s.10(2): the notice day is disregarded too)
SELECT 1;
