# Monitor and QMP session tests (tests/monitor/check-monitor.sh), included
# by the top Makefile.  monitor-client is their plain-socket client.
CHECK_PREREQS += tests/monitor/monitor-client
CLEAN_FILES += tests/monitor/monitor-client

tests/monitor/monitor-client: tests/monitor/monitor-client.c
	$(CC) $(CFLAGS) -o $@ $< $(LDFLAGS)
