// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";

/// @title BridgeTimelock
/// @notice Holds each gateway's admin role, so that every admin action (unpausing, raising limits, fees
/// and minimums) is scheduled in public and takes effect only after `minDelay` (devnet: zero).
contract BridgeTimelock is TimelockController {
    constructor(uint256 minDelay, address[] memory proposers, address[] memory executors)
        TimelockController(minDelay, proposers, executors, address(0))
    {}
}
