-- The health answers' plaintext leaves participants.responses for good (issue 13): from
-- here on it holds only the clear answers (kosher, diet, and an age or birth date the
-- columns could not take), for every writer; everything else a survey answers is sealed in
-- participant_health. Answers stored in clear before are sealed by the idempotent command
-- `grouping health seal-existing`; until it has run this migration refuses to apply, so no
-- plaintext is silently kept or silently lost.

do $$
begin
  if exists (
    select 1 from public.participants as p
    where p.responses - array['kosher', 'diet', 'age', 'birth_date'] <> '{}'::jsonb
  ) then
    raise exception 'participants.responses still holds health answers in clear'
      using hint = 'run `grouping health seal-existing`, then migrate again';
  end if;
end
$$;

alter table public.participants
  add constraint participants_responses_hold_clear_answers_only check (
    responses - array['kosher', 'diet', 'age', 'birth_date'] = '{}'::jsonb
  );

comment on column public.participants.responses is
  'The clear survey answers only (kosher, diet, age, birth_date); health answers are sealed'
  ' in participant_health.';
