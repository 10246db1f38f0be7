// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {Transfer, Signature} from "./BridgeTypes.sol";

/// @title IBridgeGateway
/// @notice What every BTT Bridge gateway shares: outbound transfers numbered without gaps, inbound
/// delivery under M-of-N validator signatures, and the safety controls of spec §3.
interface IBridgeGateway {
    /// @notice Why a transfer in a batch was not delivered. Skipped transfers are not marked delivered
    /// (except `AlreadyDelivered`, which already is) and may be delivered by a later batch.
    enum SkipReason {
        AlreadyDelivered,
        DailyLimitExceeded,
        ReserveInsufficient
    }

    /// @notice Configuration of one destination chain.
    struct Route {
        bool enabled;
        uint104 fee; // flat fee in BTT wei, taken from the amount sent
        uint104 minAmount; // smallest amount sent (before the fee) that is accepted
    }

    // ----- events -----

    /// @notice A transfer left this gateway. Everything a relayer needs to attest it is here; its id is
    /// `keccak256(abi.encode(block.chainid, address(this), sequence))`.
    /// @param sequence Per-gateway number, from 1, without gaps.
    /// @param kind 0 bridge, 1 swap (redenomination).
    /// @param amount What the recipient receives, in BTT wei, after conversion and fee.
    /// @param fee The fee kept by this gateway, in BTT wei.
    event TransferSent(
        uint64 indexed sequence,
        address indexed sender,
        uint8 kind,
        uint64 dstChainId,
        address recipient,
        uint256 amount,
        uint256 fee
    );

    /// @notice A transfer was delivered here.
    event TransferDelivered(bytes32 indexed transferId);

    /// @notice A transfer in a batch was not delivered (see `SkipReason`).
    event TransferSkipped(bytes32 indexed transferId, SkipReason reason);

    event ValidatorSetUpdated(uint64 indexed epoch, address[] validators, uint8 threshold);
    event Paused(address account);
    event Unpaused(address account);
    event DailyLimitChanged(uint256 capacity);
    event RouteConfigured(uint64 indexed dstChainId, bool enabled, uint256 fee, uint256 minAmount);
    event FeesWithdrawn(address indexed to, uint256 amount);

    // ----- errors -----

    error GatewayPaused();
    error GatewayNotPaused();
    error ZeroAmount();
    error ZeroRecipient();
    error AmountBelowMinimum(uint256 amount, uint256 minimum);
    error AmountNotAboveFee(uint256 amount, uint256 fee);
    error UnsupportedDestination(uint64 dstChainId);
    error DestinationIsThisChain(uint64 dstChainId);
    error WrongDestinationChain(uint64 dstChainId, uint256 thisChainId);
    error UnsupportedKind(uint8 kind);
    error EmptyBatch();
    error AlreadyDelivered(bytes32 transferId);
    error DailyLimitExceeded(uint256 amount, uint256 available);
    error CapNotLowered(uint256 requested, uint256 current);
    error InsufficientSignatures(uint256 provided, uint256 threshold);
    error InvalidSignature(uint256 index);
    error SignersNotAscending(uint256 index, address signer);
    error NotAValidator(address signer);
    error InvalidValidatorSet(uint256 size, uint256 threshold);
    error ValidatorsNotAscending(uint256 index);
    error WrongEpoch(uint64 epoch, uint64 expected);
    error FeesInsufficient(uint256 requested, uint256 held);
    error AmountTooLarge(uint256 amount);

    // ----- inbound -----

    /// @notice Delivers one transfer signed (as a batch of one) by at least `threshold` validators.
    /// Reverts if it was already delivered or exceeds what may be paid out now.
    function deliver(Transfer calldata transfer, Signature[] calldata signatures) external;

    /// @notice Delivers an ordered batch under one set of signatures. Transfers already delivered or over
    /// the daily limit are skipped (with `TransferSkipped`), not reverted on.
    /// @return delivered How many transfers of the batch were delivered by this call.
    function deliverBatch(Transfer[] calldata transfers, Signature[] calldata signatures)
        external
        returns (uint256 delivered);

    /// @notice Replaces the validator set; signed by at least `threshold` of the current set.
    function updateValidatorSet(
        address[] calldata validators,
        uint8 threshold,
        Signature[] calldata signatures
    ) external;

    // ----- views -----

    function isDelivered(uint64 srcChainId, bytes32 srcGateway, bytes32 srcRef) external view returns (bool);
    function validators() external view returns (address[] memory);
    function threshold() external view returns (uint8);
    function validatorEpoch() external view returns (uint64);
    function sequence() external view returns (uint64);
    function paused() external view returns (bool);
    function dailyLimit() external view returns (uint256 capacity, uint256 available);
    function route(uint64 dstChainId) external view returns (Route memory);
    function domainSeparator() external view returns (bytes32);
}
