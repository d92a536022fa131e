"""The development mail backend writes what a mail program would show."""

from django.core.mail import EmailMultiAlternatives

from fansite.emails.backends import ReadableFileBackend, links_in


def test_a_message_is_written_decoded_with_its_other_parts_named(tmp_path):
    link = "https://fans.example.org/accounts/password/reset/key/" + "é" * 3 + "x" * 90 + "/"
    message = EmailMultiAlternatives(
        subject="Réinitialiser — your password",
        body=f"Bonjour Nam-ra,\n\n{link}\n",
        from_email="fansite <noreply@example.org>",
        to=["namra@example.com"],
        cc=["onjo@example.com"],
        bcc=["archive@example.com"],
    )
    message.attach_alternative(f'<p><a href="{link}">Reset</a></p>', "text/html")
    message.attach("notes.txt", "hello", "text/plain")

    sent = ReadableFileBackend(file_path=tmp_path).send_messages([message])

    assert sent == 1
    [written] = tmp_path.iterdir()
    lines = written.read_text(encoding="utf-8").splitlines()
    assert lines[:4] == [
        "From: fansite <noreply@example.org>",
        "To: namra@example.com",
        "Cc: onjo@example.com",
        "Bcc: archive@example.com",
    ]
    assert "Subject: Réinitialiser — your password" in lines
    assert "Bonjour Nam-ra," in lines
    assert link in lines
    assert "[alternative part (text/html) not shown]" in lines
    assert "[attachment 'notes.txt' (text/plain) not shown]" in lines


def test_each_message_gets_its_own_file(tmp_path):
    backend = ReadableFileBackend(file_path=tmp_path)
    messages = [
        EmailMultiAlternatives(subject=f"Hello {n}", body="Hi.", to=["a@example.com"])
        for n in range(3)
    ]

    with backend:
        assert backend.send_messages(messages) == 3

    assert len(list(tmp_path.iterdir())) == 3


def test_links_leave_out_trailing_punctuation_and_bare_addresses():
    text = (
        "Open https://fans.example.org/a/b/. Or (http://127.0.0.1:8000/c?d=1), "
        "or https://fans.example.org/a/b/ again.\n— fansite\nhttps://fans.example.org"
    )

    assert links_in(text) == ["https://fans.example.org/a/b/", "http://127.0.0.1:8000/c?d=1"]
