"""Reminders that reach people: the outside channels of a notify() (e-mail, SMS, 企业微信/钉钉 group bots,
a file), each person's choice of them, quiet hours, digests, the delivery log with retries, and the scan
that reminds of deadlines (report due/overdue, problem and 督办单 overdue or due, baselines to approve)."""
