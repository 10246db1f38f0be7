// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {TransferItem, Signature} from "./BridgeTypes.sol";

/// @title IBridgeGateway
/// @notice What every BTT Bridge gateway shares: outbound transfers numbered without gaps, inbound
/// delivery under M-of-N validator signatures, and the safety controls (docs/protocol.md, "Safety controls").
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

    /// @notice BTT left this gateway for another chain (a transfer of kind 0, bridge). With `SwapSent`,
    /// the gateway's outbound log: the two share one sequence, numbered from 1 without gaps. Everything a
    /// relayer needs to attest the transfer is here; its id is
    /// `keccak256(abi.encode(block.chainid, bytes32(address(this)), bytes32(sequence)))`.
    /// @param amount What the recipient receives, in BTT wei: the amount sent less the fee.
    /// @param fee The fee this gateway kept, in BTT wei.
    event TransferSent(
        uint64 indexed sequence,
        uint64 dstChainId,
        address sender,
        address recipient,
        uint256 amount,
        uint256 fee
    );

    /// @notice Legacy BTTOLD was taken in here for BTT on `dstChainId` (BTTC): a transfer of kind 1, swap.
    /// @param amount What the recipient receives, in BTT wei: exactly 1,000 x `legacyAmount`, scaled by
    /// decimals.
    /// @param legacyAmount BTTOLD taken in, in its own base units.
    event SwapSent(
        uint64 indexed sequence,
        uint64 dstChainId,
        address sender,
        address recipient,
        uint256 amount,
        uint256 legacyAmount
    );

    /// @notice These transfers were delivered here, in this order (one event per delivery transaction).
    event TransfersDelivered(bytes32[] transferIds);

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
    error ValidatorEpochsExhausted();
    error ValidatorSetUpdateExpired(uint64 deadline);
    error FeesInsufficient(uint256 requested, uint256 held);
    error AmountTooLarge(uint256 amount);

    // ----- inbound -----

    /// @notice Delivers one transfer from the gateway `srcGateway` on `srcChainId`, signed (as a batch of
    /// one) by at least `threshold` validators. Reverts if it was already delivered or exceeds what may be
    /// paid out now.
    function deliver(
        uint64 srcChainId,
        bytes32 srcGateway,
        TransferItem calldata item,
        Signature[] calldata signatures
    ) external;

    /// @notice Delivers an ordered batch of transfers from one source gateway under one set of signatures.
    /// Transfers already delivered or over the daily limit are skipped (with `TransferSkipped`), not
    /// reverted on.
    /// @return delivered How many transfers of the batch were delivered by this call.
    function deliverBatch(
        uint64 srcChainId,
        bytes32 srcGateway,
        TransferItem[] calldata items,
        Signature[] calldata signatures
    ) external returns (uint256 delivered);

    /// @notice Replaces the validator set; signed, before `deadline` (unix seconds), by at least
    /// `threshold` of the current set, as EIP-712 `ValidatorSetUpdate(uint64 epoch, address[] validators,
    /// uint8 threshold, uint64 deadline)` with `epoch` the current epoch + 1.
    function updateValidatorSet(
        address[] calldata validators,
        uint8 threshold,
        uint64 deadline,
        Signature[] calldata signatures
    ) external;

    // ----- views -----

    function isDelivered(uint64 srcChainId, bytes32 srcGateway, bytes32 srcRef) external view returns (bool);
    /// @notice A gateway's state at a glance.
    struct GatewayStatus {
        bool paused;
        uint64 sequence; // last outbound sequence number used (0: none yet)
        uint64 validatorEpoch; // 0 for the first set, +1 per update
        uint8 threshold;
        uint256 dailyLimit; // type(uint256).max: none
        uint256 dailyLimitAvailable; // what may be paid out now
    }

    function validators() external view returns (address[] memory);
    function status() external view returns (GatewayStatus memory);
    function route(uint64 dstChainId) external view returns (Route memory);
    function attestationDomainSeparator() external view returns (bytes32);
}
