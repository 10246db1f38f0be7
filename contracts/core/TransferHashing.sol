// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {Transfer} from "./BridgeTypes.sol";

/// @title TransferHashing
/// @notice The transfer id and the EIP-712 struct hashes that validators sign (spec §4).
library TransferHashing {
    bytes32 internal constant TRANSFER_TYPEHASH =
        keccak256(
            "Transfer(uint64 srcChainId,bytes32 srcGateway,bytes32 srcRef,uint8 kind,uint64 dstChainId,address recipient,uint256 amount)"
        );

    bytes32 internal constant BATCH_TYPEHASH =
        keccak256(
            "Batch(Transfer[] transfers)Transfer(uint64 srcChainId,bytes32 srcGateway,bytes32 srcRef,uint8 kind,uint64 dstChainId,address recipient,uint256 amount)"
        );

    bytes32 internal constant VALIDATOR_SET_UPDATE_TYPEHASH =
        keccak256("ValidatorSetUpdate(uint64 epoch,address[] validators,uint8 threshold)");

    /// @notice `keccak256(abi.encode(srcChainId, srcGateway, srcRef))`: known to every node from the source alone.
    function id(Transfer calldata t) internal pure returns (bytes32 h) {
        // Those are the struct's first three words, so their encoding is a copy of them (see structHash
        // on why copying unvalidated words is safe for a transfer whose signatures were checked).
        assembly ("memory-safe") {
            let m := mload(0x40)
            calldatacopy(m, t, 0x60)
            h := keccak256(m, 0x60)
        }
    }

    /// @notice EIP-712 `hashStruct` of one transfer.
    function structHash(Transfer calldata t) internal pure returns (bytes32 h) {
        bytes32 typehash = TRANSFER_TYPEHASH;
        // Hot path of every delivery: the struct is seven static words in calldata, so its encoding is
        // exactly those words after the type hash. Copying them beats abi.encode's per-field cleaning,
        // and is equally safe: a word with dirty high bits hashes differently from what validators
        // signed, so it can only fail signature checks.
        assembly ("memory-safe") {
            let m := mload(0x40)
            mstore(m, typehash)
            calldatacopy(add(m, 0x20), t, 0xe0)
            h := keccak256(m, 0x100)
        }
    }

    /// @notice EIP-712 `hashStruct` of a batch holding one transfer.
    function batchHash(Transfer calldata t) internal pure returns (bytes32) {
        return keccak256(abi.encode(BATCH_TYPEHASH, keccak256(abi.encode(structHash(t)))));
    }

    /// @notice EIP-712 `hashStruct` of an ordered batch of transfers.
    function batchHash(Transfer[] calldata ts) internal pure returns (bytes32) {
        bytes32[] memory hashes = new bytes32[](ts.length);
        for (uint256 i = 0; i < ts.length; ++i) {
            hashes[i] = structHash(ts[i]);
        }
        return keccak256(abi.encode(BATCH_TYPEHASH, keccak256(abi.encodePacked(hashes))));
    }
}
