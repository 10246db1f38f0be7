// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {TransferItem} from "./BridgeTypes.sol";

/// @title TransferHashing
/// @notice Transfer ids and the EIP-712 hashes that validators sign (docs/protocol.md, "Transfer identity",
/// "Attestations").
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
        keccak256("ValidatorSetUpdate(uint64 epoch,address[] validators,uint8 threshold,uint64 deadline)");

    /// @notice The EIP-712 `hashStruct` of the batch `Batch { Transfer[] transfers }` made of `items` from
    /// one source, delivered on this chain; and each transfer's id,
    /// `keccak256(abi.encode(srcChainId, srcGateway, srcRef))`.
    /// @dev Hot path of every delivery. Both hashes of a transfer are taken over one 8-word buffer laid
    /// out as `abi.encode(TRANSFER_TYPEHASH, transfer)`: the id over its words 1-3, the struct hash over
    /// all 8. Item words are copied from calldata unvalidated, which is safe: a word with dirty high bits
    /// hashes differently from what validators signed, so it can only fail the signature check.
    function batchHash(uint64 srcChainId, bytes32 srcGateway, TransferItem[] calldata items)
        internal
        view
        returns (bytes32 hash, bytes32[] memory ids)
    {
        uint256 count = items.length;
        ids = new bytes32[](count);
        bytes32[] memory structHashes = new bytes32[](count);
        bytes32 typehash = TRANSFER_TYPEHASH;
        bytes32 batchTypehash = BATCH_TYPEHASH;
        assembly ("memory-safe") {
            let buf := mload(0x40)
            mstore(buf, typehash)
            mstore(add(buf, 0x20), srcChainId)
            mstore(add(buf, 0x40), srcGateway)
            mstore(add(buf, 0xa0), chainid()) // dstChainId
            for { let i := 0 } lt(i, count) { i := add(i, 1) } {
                let item := add(items.offset, mul(i, 0x80))
                calldatacopy(add(buf, 0x60), item, 0x40) // srcRef, kind
                calldatacopy(add(buf, 0xc0), add(item, 0x40), 0x40) // recipient, amount
                let slot := add(mul(i, 0x20), 0x20)
                mstore(add(ids, slot), keccak256(add(buf, 0x20), 0x60))
                mstore(add(structHashes, slot), keccak256(buf, 0x100))
            }
            // EIP-712 encodes an array of structs as the hash of its elements' hashes, concatenated.
            let arrayHash := keccak256(add(structHashes, 0x20), mul(count, 0x20))
            mstore(buf, batchTypehash)
            mstore(add(buf, 0x20), arrayHash)
            hash := keccak256(buf, 0x40)
        }
    }
}
