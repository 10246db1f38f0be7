// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {Transfer, Signature, TransferKind} from "./BridgeTypes.sol";
import {IBridgeGateway} from "./IBridgeGateway.sol";
import {TransferHashing} from "./TransferHashing.sol";
import {ValidatorSetStore} from "./ValidatorSetStore.sol";
import {DailyLimit} from "./DailyLimit.sol";

/// @title BridgeGateway
/// @notice The core every BTT Bridge gateway shares. Variants decide only how value leaves the sender and
/// reaches the recipient (`_onReceive`, `_payoutAvailable`, `_acceptsInbound`); everything that keeps the
/// bridge safe — signatures, replay protection, limits, pause, fees — lives here, once.
/// @dev Roles: DEFAULT_ADMIN_ROLE is meant to be held by an OpenZeppelin TimelockController, so every
/// admin action waits out its delay; GUARDIAN_ROLE acts at once but can only make the bridge safer
/// (pause, lower the daily limit). Neither can touch the validator set, which only a threshold of the
/// current validators can replace.
abstract contract BridgeGateway is IBridgeGateway, AccessControl, EIP712, ReentrancyGuardTransient {
    bytes32 public constant GUARDIAN_ROLE = keccak256("GUARDIAN_ROLE");

    /// @notice Largest validator set; bounds the gas of a delivery.
    uint256 internal constant MAX_VALIDATORS = 64;

    /// @dev Read by every delivery and written by every outbound transfer: one slot.
    struct Core {
        address validatorSet; // ValidatorSetStore pointer
        uint8 threshold;
        bool paused;
        uint64 sequence; // last outbound sequence number used
    }

    Core private _core;
    DailyLimit.State private _limit;
    uint64 private _epoch;
    mapping(uint64 dstChainId => Route) private _routes;
    /// @dev Replay records: one bit per transfer, 256 consecutive source references per slot, so that
    /// sequential deliveries from one source gateway mostly update a slot that is already non-zero.
    mapping(bytes32 wordKey => uint256 bits) private _deliveredBits;

    /// @param admin Holder of DEFAULT_ADMIN_ROLE (a timelock in production; the deployer may hold it
    ///        while wiring a new gateway, then hand it over).
    /// @param guardian Holder of GUARDIAN_ROLE.
    /// @param initialValidators The first validator set, ascending.
    /// @param initialThreshold Signatures needed; more than half the set.
    /// @param dailyLimit_ Rolling 24-hour cap on what this gateway pays out, in BTT wei.
    constructor(
        address admin,
        address guardian,
        address[] memory initialValidators,
        uint8 initialThreshold,
        uint256 dailyLimit_
    ) EIP712("BTT Bridge", "1") {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(GUARDIAN_ROLE, guardian);
        _setValidators(initialValidators, initialThreshold, 0);
        _limit = DailyLimit.State(0, 0, uint40(block.timestamp));
        DailyLimit.setCapacity(_limit, dailyLimit_);
        _limit.available = _limit.capacity; // a new gateway starts with its full allowance
        emit DailyLimitChanged(dailyLimit_);
    }

    // =====================================================================================================
    // Inbound
    // =====================================================================================================

    /// @inheritdoc IBridgeGateway
    function deliver(Transfer calldata transfer, Signature[] calldata signatures) external nonReentrant {
        Core memory core = _requireOpen();
        _verify(_hashTypedDataV4(TransferHashing.batchHash(transfer)), signatures, core);
        (uint256 remaining, ) = _deliverOne(transfer, DailyLimit.current(_limit), true);
        DailyLimit.settle(_limit, remaining);
    }

    /// @inheritdoc IBridgeGateway
    function deliverBatch(Transfer[] calldata transfers, Signature[] calldata signatures)
        external
        nonReentrant
        returns (uint256 delivered)
    {
        if (transfers.length == 0) revert EmptyBatch();
        Core memory core = _requireOpen();
        _verify(_hashTypedDataV4(TransferHashing.batchHash(transfers)), signatures, core);
        uint256 available = DailyLimit.current(_limit);
        for (uint256 i = 0; i < transfers.length; ++i) {
            bool ok;
            (available, ok) = _deliverOne(transfers[i], available, false);
            if (ok) ++delivered;
        }
        if (delivered != 0) DailyLimit.settle(_limit, available);
    }

    /// @dev Checks, records and pays one transfer whose signatures are already verified. With `strict`,
    /// a transfer that cannot be delivered now reverts; otherwise it is skipped with an event.
    function _deliverOne(Transfer calldata t, uint256 available, bool strict)
        private
        returns (uint256 availableAfter, bool delivered)
    {
        if (t.dstChainId != block.chainid) revert WrongDestinationChain(t.dstChainId, block.chainid);
        if (t.recipient == address(0)) revert ZeroRecipient();
        if (t.amount == 0) revert ZeroAmount();
        if (!_acceptsInbound(t.kind)) revert UnsupportedKind(t.kind);

        bytes32 transferId = TransferHashing.id(t);
        (bytes32 wordKey, uint256 bit) = _replaySlot(t.srcChainId, t.srcGateway, t.srcRef);
        uint256 word = _deliveredBits[wordKey];

        if (word & bit != 0) {
            if (strict) revert AlreadyDelivered(transferId);
            emit TransferSkipped(transferId, SkipReason.AlreadyDelivered);
            return (available, false);
        }
        if (t.amount > available) {
            if (strict) revert DailyLimitExceeded(t.amount, available);
            emit TransferSkipped(transferId, SkipReason.DailyLimitExceeded);
            return (available, false);
        }
        uint256 payable_ = _payoutAvailable(t.kind);
        if (t.amount > payable_) {
            if (strict) _revertPayoutUnavailable(t.kind, t.amount, payable_);
            emit TransferSkipped(transferId, SkipReason.ReserveInsufficient);
            return (available, false);
        }

        // Effects before the interaction in `_onReceive` (which may call the recipient).
        _deliveredBits[wordKey] = word | bit;
        emit TransferDelivered(transferId);
        _onReceive(t);
        unchecked {
            return (available - t.amount, true); // t.amount <= available, checked above
        }
    }

    /// @notice Whether the transfer with this source identity has been delivered here.
    function isDelivered(uint64 srcChainId, bytes32 srcGateway, bytes32 srcRef) external view returns (bool) {
        (bytes32 wordKey, uint256 bit) = _replaySlot(srcChainId, srcGateway, srcRef);
        return _deliveredBits[wordKey] & bit != 0;
    }

    /// @dev (srcChainId, srcGateway, srcRef >> 8) names the slot and the low byte of srcRef the bit, which
    /// maps each transfer to exactly one bit, whatever srcRef is (a sequence number or a TRON tx id).
    function _replaySlot(uint64 srcChainId, bytes32 srcGateway, bytes32 srcRef)
        private
        pure
        returns (bytes32 wordKey, uint256 bit)
    {
        wordKey = keccak256(abi.encode(srcChainId, srcGateway, uint256(srcRef) >> 8));
        bit = 1 << (uint256(srcRef) & 0xff);
    }

    // =====================================================================================================
    // Validators
    // =====================================================================================================

    /// @inheritdoc IBridgeGateway
    function updateValidatorSet(
        address[] calldata newValidators,
        uint8 newThreshold,
        Signature[] calldata signatures
    ) external {
        uint64 epoch = _epoch + 1;
        bytes32 structHash = keccak256(
            abi.encode(
                TransferHashing.VALIDATOR_SET_UPDATE_TYPEHASH,
                epoch,
                keccak256(abi.encodePacked(newValidators)),
                newThreshold
            )
        );
        _verify(_hashTypedDataV4(structHash), signatures, _core);
        _setValidators(newValidators, newThreshold, epoch);
    }

    /// @dev Signatures must come from distinct members of the current set, in ascending signer order, so
    /// that one merge-like pass over the (ascending) set checks membership and uniqueness together.
    function _verify(bytes32 digest, Signature[] calldata signatures, Core memory core) private view {
        if (signatures.length < core.threshold) {
            revert InsufficientSignatures(signatures.length, core.threshold);
        }
        bytes memory set = ValidatorSetStore.read(core.validatorSet);
        uint256 setSize = set.length / 20;
        uint256 j = 0;
        address previous = address(0);
        for (uint256 i = 0; i < signatures.length; ++i) {
            (address signer, ECDSA.RecoverError err, ) = ECDSA.tryRecover(
                digest,
                signatures[i].r,
                signatures[i].vs
            );
            if (err != ECDSA.RecoverError.NoError) revert InvalidSignature(i);
            if (signer <= previous) revert SignersNotAscending(i, signer);
            while (j < setSize && ValidatorSetStore.at(set, j) < signer) ++j;
            if (j == setSize || ValidatorSetStore.at(set, j) != signer) revert NotAValidator(signer);
            ++j;
            previous = signer;
        }
    }

    function _setValidators(address[] memory newValidators, uint8 newThreshold, uint64 epoch) private {
        uint256 size = newValidators.length;
        if (size == 0 || size > MAX_VALIDATORS || uint256(newThreshold) * 2 <= size || newThreshold > size) {
            revert InvalidValidatorSet(size, newThreshold);
        }
        address previous = address(0);
        for (uint256 i = 0; i < size; ++i) {
            if (newValidators[i] <= previous) revert ValidatorsNotAscending(i);
            previous = newValidators[i];
        }
        _core.validatorSet = ValidatorSetStore.write(newValidators);
        _core.threshold = newThreshold;
        _epoch = epoch;
        emit ValidatorSetUpdated(epoch, newValidators, newThreshold);
    }

    // =====================================================================================================
    // Outbound (for variants)
    // =====================================================================================================

    /// @dev Validates a bridge transfer of `amount` (before the fee) and returns the fee it pays.
    function _checkBridgeOut(uint64 dstChainId, address recipient, uint256 amount) internal view returns (uint256) {
        if (amount == 0) revert ZeroAmount();
        if (recipient == address(0)) revert ZeroRecipient();
        if (dstChainId == block.chainid) revert DestinationIsThisChain(dstChainId);
        Route memory r = _routes[dstChainId];
        if (!r.enabled) revert UnsupportedDestination(dstChainId);
        if (amount < r.minAmount) revert AmountBelowMinimum(amount, r.minAmount);
        if (amount <= r.fee) revert AmountNotAboveFee(amount, r.fee);
        return r.fee;
    }

    /// @dev Takes the next sequence number; reverts while paused.
    function _nextSequence() internal returns (uint64 next) {
        Core memory core = _requireOpen();
        next = core.sequence + 1;
        _core.sequence = next;
    }

    function _requireOpen() private view returns (Core memory core) {
        core = _core;
        if (core.paused) revert GatewayPaused();
    }

    // =====================================================================================================
    // Hooks
    // =====================================================================================================

    /// @dev Whether this gateway delivers transfers of `kind`.
    function _acceptsInbound(uint8 kind) internal view virtual returns (bool);

    /// @dev The most this gateway can pay now for a transfer of `kind` (before the daily limit).
    function _payoutAvailable(uint8 kind) internal view virtual returns (uint256);

    /// @dev Reverts with the error that names why `_payoutAvailable(kind)` does not cover `amount`.
    function _revertPayoutUnavailable(uint8 kind, uint256 amount, uint256 available) internal pure virtual;

    /// @dev Pays the recipient of a transfer that has just been recorded as delivered.
    function _onReceive(Transfer calldata t) internal virtual;

    /// @dev Sends `amount` of the fees this gateway holds to `to`.
    function _withdrawFees(address to, uint256 amount) internal virtual;

    // =====================================================================================================
    // Safety controls
    // =====================================================================================================

    /// @notice Stops deliveries and outbound transfers at once. Guardian.
    function pause() external onlyRole(GUARDIAN_ROLE) {
        if (_core.paused) revert GatewayPaused();
        _core.paused = true;
        emit Paused(msg.sender);
    }

    /// @notice Resumes the gateway. Admin (behind the timelock).
    function unpause() external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (!_core.paused) revert GatewayNotPaused();
        _core.paused = false;
        emit Unpaused(msg.sender);
    }

    /// @notice Lowers the daily limit at once. Guardian.
    function lowerDailyLimit(uint256 capacity) external onlyRole(GUARDIAN_ROLE) {
        uint256 currentCapacity = DailyLimit.capacityOf(_limit);
        if (capacity >= currentCapacity) revert CapNotLowered(capacity, currentCapacity);
        DailyLimit.setCapacity(_limit, capacity);
        emit DailyLimitChanged(capacity);
    }

    /// @notice Sets the daily limit to any value; `type(uint256).max` switches it off. Admin.
    function setDailyLimit(uint256 capacity) external onlyRole(DEFAULT_ADMIN_ROLE) {
        DailyLimit.setCapacity(_limit, capacity);
        emit DailyLimitChanged(capacity);
    }

    /// @notice Opens, closes or re-prices a destination chain. Admin.
    function configureRoute(uint64 dstChainId, bool enabled, uint256 fee, uint256 minAmount)
        external
        onlyRole(DEFAULT_ADMIN_ROLE)
    {
        if (dstChainId == block.chainid) revert DestinationIsThisChain(dstChainId);
        if (fee > type(uint104).max) revert AmountTooLarge(fee);
        if (minAmount > type(uint104).max) revert AmountTooLarge(minAmount);
        _routes[dstChainId] = Route(enabled, uint104(fee), uint104(minAmount));
        emit RouteConfigured(dstChainId, enabled, fee, minAmount);
    }

    /// @notice Pays out fees held by this gateway. Admin.
    function withdrawFees(address to, uint256 amount) external onlyRole(DEFAULT_ADMIN_ROLE) nonReentrant {
        if (to == address(0)) revert ZeroRecipient();
        _withdrawFees(to, amount);
        emit FeesWithdrawn(to, amount);
    }

    // =====================================================================================================
    // Views
    // =====================================================================================================

    function validators() external view returns (address[] memory set) {
        bytes memory packed = ValidatorSetStore.read(_core.validatorSet);
        set = new address[](packed.length / 20);
        for (uint256 i = 0; i < set.length; ++i) set[i] = ValidatorSetStore.at(packed, i);
    }

    function threshold() external view returns (uint8) {
        return _core.threshold;
    }

    function validatorEpoch() external view returns (uint64) {
        return _epoch;
    }

    function sequence() external view returns (uint64) {
        return _core.sequence;
    }

    function paused() external view returns (bool) {
        return _core.paused;
    }

    function dailyLimit() external view returns (uint256 capacity, uint256 available) {
        DailyLimit.State memory limit = _limit;
        return (DailyLimit.capacityOf(limit), DailyLimit.current(limit));
    }

    function route(uint64 dstChainId) external view returns (Route memory) {
        return _routes[dstChainId];
    }

    function domainSeparator() external view returns (bytes32) {
        return _domainSeparatorV4();
    }
}
