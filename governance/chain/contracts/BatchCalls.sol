// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

/// @title BatchCalls: the read-only subset of the Multicall3 interface used by Connector Hub.
/// @notice Implements `aggregate3` with Multicall3's ABI (same selector, argument and result
///         types), so the balance reader talks to it exactly as it talks to the canonical
///         Multicall3 deployment on mainnet, plus `getBlockNumber` for convenience.
contract BatchCalls {
    struct Call3 {
        address target;
        bool allowFailure;
        bytes callData;
    }

    struct Result {
        bool success;
        bytes returnData;
    }

    error CallFailed(uint256 index);

    function aggregate3(Call3[] calldata calls) external payable returns (Result[] memory results) {
        uint256 count = calls.length;
        results = new Result[](count);
        for (uint256 i = 0; i < count; ++i) {
            Call3 calldata item = calls[i];
            (bool ok, bytes memory data) = item.target.call(item.callData);
            if (!ok && !item.allowFailure) revert CallFailed(i);
            results[i] = Result(ok, data);
        }
    }

    function getBlockNumber() external view returns (uint256) {
        return block.number;
    }
}
