import { Body, Controller, Get, HttpCode, Post, Req } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { CurrentUser, Public, RequireRole } from '../common/auth/access.decorators.js';
import type { AuthUser } from '../common/auth/auth-user.js';
import { ApiProblems } from '../common/http/api-problems.decorator.js';
import { NotIdempotent } from '../idempotency/idempotency.decorators.js';
import { AuthService } from './auth.service.js';
import { AuthResponseDto, LoginDto, MeResponseDto, RefreshDto, SignupDto } from './dto/auth.dto.js';

@ApiTags('auth')
@Controller('v1/auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Post('signup')
  @NotIdempotent()
  @Public()
  @ApiOperation({ summary: 'Create an account and its organization, or join one with an invitation' })
  @ApiCreatedResponse({ type: AuthResponseDto })
  @ApiProblems(400, 409, 429)
  signUp(@Body() dto: SignupDto, @Req() request: FastifyRequest): Promise<AuthResponseDto> {
    return this.auth.signup(dto, request.ip);
  }

  @Post('login')
  @NotIdempotent()
  @HttpCode(200)
  @Public()
  @ApiOkResponse({ type: AuthResponseDto })
  @ApiProblems(400, 401, 429)
  logIn(@Body() dto: LoginDto, @Req() request: FastifyRequest): Promise<AuthResponseDto> {
    return this.auth.login(dto, request.ip);
  }

  @Post('refresh')
  @NotIdempotent()
  @HttpCode(200)
  @Public()
  @ApiOperation({ summary: 'Rotate the refresh token; reusing a spent one ends the session' })
  @ApiOkResponse({ type: AuthResponseDto })
  @ApiProblems(400, 401)
  refreshSession(@Body() dto: RefreshDto): Promise<AuthResponseDto> {
    return this.auth.refresh(dto.refreshToken);
  }

  @Post('logout')
  @NotIdempotent()
  @HttpCode(204)
  @RequireRole('viewer')
  @ApiOperation({ summary: 'End this session; its access and refresh tokens stop working at once' })
  @ApiNoContentResponse()
  logOut(@CurrentUser() user: AuthUser): Promise<void> {
    return this.auth.logout(user);
  }

  @Get('me')
  @RequireRole('viewer')
  @ApiOkResponse({ type: MeResponseDto })
  getCurrentUser(@CurrentUser() user: AuthUser): Promise<MeResponseDto> {
    return this.auth.me(user);
  }
}
