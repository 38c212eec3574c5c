-- The policy's stability weight (engine PolicyOptions.stability_weight): the penalty per
-- person a run moves from their group when it starts from an earlier run; 0 regroups
-- freely. The CHECK is the engine's rule, so a stored policy always loads.
alter table public.grouping_policies
  add column stability_weight double precision not null default 1.0
  constraint grouping_policies_stability_weight check (
    stability_weight >= 0 and stability_weight <= 10
  );
