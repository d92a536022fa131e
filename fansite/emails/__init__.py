"""Every email the site sends, queued with the write that causes it and sent by the
task worker after the commit, retried when the mail server fails."""
