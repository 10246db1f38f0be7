// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

/// @dev The one function of BttcGateway that BridgeLoad calls.
interface IBttcBridge {
    function bridge(uint64 dstChainId, address recipient) external payable returns (uint64 seq);
}

/// @title BridgeLoad
/// @notice TEST ONLY — load generation for the relay benchmark (bench/relay.ts); never deployed to a real
/// chain. A local chain takes a few hundred transactions a second over JSON-RPC, fewer than the relayer
/// must be measured at, so this makes many outbound `bridge` calls to a BTTC gateway in one transaction:
/// `msg.value` split equally over the recipients, one call each. Every call is a genuine transfer — its
/// own sequence number and `TransferSent` event (sender: this contract), delivered like any other.
contract BridgeLoad {
    error NoRecipients();
    error UnevenSplit(uint256 value, uint256 recipients);

    /// @notice Bridges `msg.value / recipients.length` to each recipient on `dstChainId`, in order.
    function bridgeMany(IBttcBridge gateway, uint64 dstChainId, address[] calldata recipients) external payable {
        uint256 count = recipients.length;
        if (count == 0) revert NoRecipients();
        uint256 each = msg.value / count;
        if (each * count != msg.value) revert UnevenSplit(msg.value, count);
        for (uint256 i; i < count; ++i) {
            gateway.bridge{value: each}(dstChainId, recipients[i]);
        }
    }
}
