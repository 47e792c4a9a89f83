"""Made-up data for benchmarks: a synthetic cohort written through the apps'
own actions (`oncopro seed-cohort`). It sits at the top of the one-way flow,
beside `oncopro.ops`: it may import every app, and no app imports it."""
