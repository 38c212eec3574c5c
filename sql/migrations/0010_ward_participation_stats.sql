-- Participation per roster member, as spec/wards.md "Participation statistics"
-- defines it (the seed's draft view counted a schedule once per joined row and
-- counted schedules that never had a session):
--   total_assigned_sessions  = distinct sessions whose schedule is assigned to the
--                              member's group or to 'All';
--   total_participations     = how many of those sessions the member attended
--                              (a session_participants row with attended = true;
--                              attending another group's session does not count);
--   participation_percentage = round(100 * participations / assigned, 1), 0 when
--                              nothing was assigned.
-- Every roster member has a line. A member without a stored assignment has no
-- group, so only 'All' schedules are theirs: the default A-D split is computed by
-- the API from the roster, and counting it here would make the figures move with
-- every roster edit. security_invoker: callers see the lines their RLS allows
-- (a ward's admins and leaders all of it, a linked member their own).
create view public.member_participation_stats
with (security_invoker = true)
as
select
  m.ward_branch_id,
  m.user_hash,
  g.assigned_group,
  count(distinct s.id) as total_assigned_sessions,
  count(distinct p.session_id) as total_participations,
  case
    when count(distinct s.id) = 0 then 0.0
    else round(100.0 * count(distinct p.session_id) / count(distinct s.id), 1)
  end as participation_percentage
from public.ward_members m
left join public.ward_member_groups g
  on g.ward_branch_id = m.ward_branch_id and g.user_hash = m.user_hash
left join public.cleaning_schedules cs
  on cs.ward_branch_id = m.ward_branch_id
  and (cs.assigned_group = g.assigned_group or cs.assigned_group = 'All')
left join public.cleaning_sessions s on s.schedule_id = cs.id
left join public.session_participants p
  on p.session_id = s.id and p.user_hash = m.user_hash and p.attended
group by m.ward_branch_id, m.user_hash, g.assigned_group;

revoke all on public.member_participation_stats from anon, authenticated;
grant select on public.member_participation_stats to authenticated, service_role;
