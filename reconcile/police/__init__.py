"""The police round trip: the conflict lists the police liaisons receive (`lists`), the sheet's
layout both directions share (`sheet`), and their answers read back and checked (`answers`).
The command wiring is `reconcile.commands.police`; the SQL that picks the open conflicts is
`reconcile.store.conflicts`."""
