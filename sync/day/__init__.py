"""The working day: shifts, and the team's day as the plan plus what the team changed locally."""
