"""The pages of the people outside the office: the petitioner's self-service and online submission,
and the deputies' channel (代表转交, their referrals' stage and the reply)."""
