// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

/// @notice One cross-chain transfer as validators attest it (docs/protocol.md, "Transfer"). Field order
/// and types are part of the EIP-712 type and so of every signature: never reorder them.
struct Transfer {
    uint64 srcChainId;
    bytes32 srcGateway; // source gateway address (TRON: the deposit account's 20 bytes), left-padded
    bytes32 srcRef; // source gateway's sequence number, or the TRON deposit's transaction id
    uint8 kind; // TransferKind
    uint64 dstChainId;
    address recipient;
    uint256 amount; // what the recipient receives, in destination base units, after conversion and fee
}

/// @notice A transfer as a delivery carries it: the fields that differ between the transfers of a batch.
/// A batch comes from one source gateway (`srcChainId`, `srcGateway` are given once for all of it) and
/// goes to the gateway it is delivered to (`dstChainId` is that chain's id), so each transfer is 4 words
/// of calldata instead of 7. What validators sign is still the full `Transfer` (docs/protocol.md, "Transfer").
struct TransferItem {
    bytes32 srcRef;
    uint8 kind;
    address recipient;
    uint256 amount;
}

/// @notice An ERC-2098 compact secp256k1 signature: `vs` holds `s` with the parity of `v` in its top bit.
struct Signature {
    bytes32 r;
    bytes32 vs;
}

library TransferKind {
    uint8 internal constant BRIDGE = 0;
    uint8 internal constant SWAP = 1;
}
