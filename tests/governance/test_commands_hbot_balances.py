"""The hbot_balances command."""

import pytest
from django.core.management import CommandError, call_command

from tests.governance.misbehaving_rpc import SlowRpc

pytestmark = pytest.mark.django_db


def run(*args, **options) -> str:
    from io import StringIO

    out = StringIO()
    call_command("hbot_balances", *args, stdout=out, **options)
    return out.getvalue()


def test_prints_balances_and_total(chain_settings, devchain):
    alice, bob = (h.address for h in devchain.chain.info.holders[:2])

    output = run(alice, bob, block="3")

    assert "at block 3" in output
    assert f"{alice}  " in output
    assert "5000000 HBOT  5000000000000000000000000" in output
    assert "Total of 2 holders: 7500000 HBOT" in output


def test_reads_addresses_from_file(chain_settings, devchain, tmp_path):
    holders = devchain.chain.info.holders
    path = tmp_path / "voters.txt"
    path.write_text(f"# voters\n{holders[8].address}  # ivan\n\n{holders[9].address}\n")

    output = run(file=path, block="6")

    assert "Total of 2 holders: 1250000 HBOT" in output


def test_default_block_is_latest_final(chain_settings, devchain):
    output = run(devchain.chain.info.holders[0].address, no_cache=True)

    assert "at block 6" in output


@pytest.mark.parametrize(
    ("args", "options", "message"),
    [
        (["0xnot-an-address"], {}, "is not an Ethereum address"),
        ([], {}, "at least one address"),
        (["0x" + "1" * 40], {"block": "soon"}, "not a block number"),
        (["0x" + "1" * 40], {"block": "99999"}, "is not final"),
        (["0x" + "1" * 40], {"chain_id": 1}, "serves chain id"),
    ],
)
def test_bad_input_gives_clear_error(chain_settings, args, options, message):
    with pytest.raises(CommandError, match=message):
        run(*args, **options)


def test_unreachable_rpc_is_a_command_error(chain_settings):
    with pytest.raises(CommandError, match="could not be reached"):
        run("0x" + "1" * 40, rpc_url="http://127.0.0.1:9")


def test_node_too_slow_for_one_read_says_what_to_change(chain_settings, devchain):
    # given a node that takes 1 s per balance read and a 0.3 s timeout
    alice, bob = (h.address for h in devchain.chain.info.holders[:2])
    with SlowRpc(devchain.url, per_read=1.0) as node:
        chain_settings.ETH_RPC_URL = node.url
        chain_settings.ETH_RPC_TIMEOUT = 0.3
        chain_settings.BALANCE_BATCH_SIZE = 2

        # then the command fails naming the settings, after halving the batch once
        with pytest.raises(CommandError, match=r"raise ETH_RPC_TIMEOUT \(now 0.3\)"):
            run(alice, bob, block="6", no_cache=True)
        node.settle()
        assert node.abandoned == [2, 1]


def test_missing_file_is_a_command_error(chain_settings, tmp_path):
    with pytest.raises(CommandError, match="cannot read"):
        run(file=tmp_path / "absent.txt")
