from __future__ import annotations

import threading

from waypost.runner.output import OutputChannel, OutputFiles, Stream, TailBuffer


def test_channel_hands_over_everything_in_order_and_then_says_done():
    channel: OutputChannel[int] = OutputChannel(limit=10)
    channel.put(1)
    channel.put(2, size=3)
    assert channel.take() == ([1, 2], False)
    channel.close()
    assert channel.take() == ([], True)


def test_full_channel_makes_the_writer_wait_until_read():
    channel: OutputChannel[int] = OutputChannel(limit=4)
    channel.put(1, size=4)
    written = threading.Event()

    def writer() -> None:
        channel.put(2, size=4)
        written.set()

    thread = threading.Thread(target=writer)
    thread.start()
    assert not written.wait(0.05)
    assert channel.take()[0] == [1]
    thread.join()
    assert channel.take()[0] == [2]


def test_detached_channel_drops_sized_items_but_keeps_markers():
    channel: OutputChannel[str] = OutputChannel(limit=4)
    channel.put("pid")
    channel.put("data", size=4)
    channel.detach()
    channel.put("more", size=4)
    channel.put("exit")
    assert channel.take()[0] == ["pid", "exit"]


def test_async_reader_is_woken_when_an_item_arrives():
    channel: OutputChannel[str] = OutputChannel()
    woken = threading.Event()
    assert channel.take_nowait(woken.set) == ([], False)
    channel.put("x")
    assert woken.is_set()


def test_tail_buffer_keeps_the_last_bytes():
    tail = TailBuffer(5)
    tail.append(b"abc")
    assert tail.getvalue() == b"abc" and not tail.truncated
    tail.append(b"defg")
    assert tail.getvalue() == b"cdefg"
    assert tail.truncated


def test_output_files_share_one_file_for_both_streams(tmp_path):
    files = OutputFiles({Stream.STDOUT: tmp_path / "all.log", Stream.STDERR: tmp_path / "all.log"})
    files.write(Stream.STDOUT, b"out\n")
    files.write(Stream.STDERR, b"err\n")
    files.close()
    assert (tmp_path / "all.log").read_bytes() == b"out\nerr\n"
