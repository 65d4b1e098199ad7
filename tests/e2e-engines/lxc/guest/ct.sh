#!/bin/sh
# What the container runs (its /ct.sh): what only a process in the
# container's own PID and UTS namespaces sees, its root line, then the
# escape probe.
echo "CT: started pid=$$ pid1=$(sed -n 's/^Name:[[:space:]]*//p' /proc/1/status 2>/dev/null) host=$(hostname)"
echo "CT: root line: $(awk '$5 == "/"' /proc/self/mountinfo 2>/dev/null)"
/bin/probe
