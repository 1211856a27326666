# Ctrl-C during a process-pool run (filled in below).
